// Proves the notification form's words and body: a draft round-trips to the PUT body (empty URL = off, events in the contract's order, digest minutes as a number), and delivery outcomes read in words.
import { describe, expect, it } from "vitest";
import { bodyOf, changed, digestWords, draftOf, outcomeWords } from "./notification-words";

describe("notification words", () => {
  it("turns a draft into the PUT body", () => {
    const saved = draftOf({ webhookUrl: null, format: "slack", events: ["failure", "upload"], digestMinutes: 0 });
    expect(saved).toEqual({ webhookUrl: "", format: "slack", events: ["failure", "upload"], digestMinutes: 0 });
    expect(bodyOf(saved, false)).toEqual({ webhookUrl: null, format: "slack", events: ["upload", "failure"], digestMinutes: 0 });
    const draft = { ...saved, webhookUrl: "  https://hooks.example.com/x ", digestMinutes: 15 };
    expect(bodyOf(draft, true)).toEqual({ webhookUrl: "https://hooks.example.com/x", format: "slack", events: ["upload", "failure"], digestMinutes: 15, rotateSecret: true });
    expect(changed(draft, saved)).toBe(true);
    expect(changed({ ...saved, events: ["upload", "failure"] }, saved)).toBe(false);
    // An empty digest field is not 0: the server names the field.
    expect(Number.isNaN(bodyOf({ ...saved, digestMinutes: null }, false).digestMinutes)).toBe(true);
  });

  it("says digests and outcomes in words", () => {
    expect([0, 1, 15].map(digestWords)).toEqual(["At once", "Every minute", "Every 15 minutes"]);
    expect(outcomeWords({ at: "2026-12-07T14:00:00Z", summary: "x", outcome: "ok", status: 200, attempt: 2 })).toBe("Delivered · HTTP 200 · try 2");
    expect(outcomeWords({ at: "2026-12-07T14:00:00Z", summary: "x", outcome: "failed", attempt: 1 })).toBe("Failed · no answer");
  });
});
