// Proves the recipient's page says when a link stopped working with the date and the time, in the reader's locale and time zone.
import { describe, expect, it } from "vitest";
import { dateAndTime } from "./link-state";

describe("dateAndTime", () => {
  it("gives the day with the time, as the locale writes them", () => {
    expect(dateAndTime("2026-12-07T01:58:09.000Z", "en-GB", "UTC")).toEqual({ date: "Mon 7 Dec 2026", time: "01:58" });
    expect(dateAndTime("2026-12-07T01:58:09.000Z", "de-DE", "Europe/Berlin")).toEqual({ date: "Mo. 7. Dez. 2026", time: "02:58" });
  });

  it("moves the day with the reader's time zone", () => {
    expect(dateAndTime("2026-12-07T01:58:09.000Z", "en-US", "America/New_York")).toMatchObject({ date: "Sun Dec 6 2026" });
  });

  it("answers null for anything that is not a time", () => {
    expect(dateAndTime("an earlier visit")).toBeNull();
  });
});
