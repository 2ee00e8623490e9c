// Proves what "Extend" sends: the project's default (90 days without one) added to the later of now and the current expiry, and that an expired user's extension is marked as giving no keys or grants back.
import { describe, expect, it } from "vitest";
import { planExtension, EXPIRED_EXTEND_NOTE } from "./extend";

const NOW = Date.parse("2026-12-07T12:00:00.000Z");
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const user = (expiresAt: string | null) => ({ spec: { description: null, permissions: [], expiresAt } });

describe("planExtension", () => {
  it("adds the project's default to an expiry still ahead", () => {
    expect(planExtension(user(iso(NOW + 3 * DAY)), 30, NOW)).toEqual({ expiresAt: iso(NOW + 33 * DAY), days: 30, expired: false });
  });

  it("adds 90 days when the project has no default", () => {
    expect(planExtension(user(iso(NOW + DAY)), null, NOW)).toEqual({ expiresAt: iso(NOW + 91 * DAY), days: 90, expired: false });
  });

  it("counts from now for a user whose access already ended, and says what stays off", () => {
    expect(planExtension(user(iso(NOW - 10 * DAY)), 14, NOW)).toEqual({ expiresAt: iso(NOW + 14 * DAY), days: 14, expired: true });
    expect(EXPIRED_EXTEND_NOTE).toMatch(/keys.*bucket access/);
  });
});
