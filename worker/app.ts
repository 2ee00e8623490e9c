import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { requireAuthConfig, requireIdentity } from "./auth/identity";
import { requireAllowedOrigin } from "./auth/origin";
import { jsonOnlyPosts } from "./auth/json-only";
import { onError, notFound } from "./errors";
import { jsonBodyLimit } from "./validate";
import { authRoutes } from "./routes/auth";
import { projectRoutes } from "./routes/projects";
import { bucketRoutes } from "./routes/buckets";
import { userRoutes } from "./routes/users";
import { accessReviewRoutes } from "./routes/access-review";
import { resourceEventRoutes } from "./routes/resource-events";
import { operationRoutes } from "./routes/operations";
import { memberRoutes } from "./routes/members";
import { settingsRoutes } from "./routes/settings";
import { notificationRoutes } from "./routes/notifications";
import { sftpRoutes } from "./routes/sftp";
import { projectShareRoutes, publicShareRoutes } from "./routes/shares";
import { webhookRoutes } from "./routes/webhooks";
import { opsRoutes } from "./routes/ops";
import { requestLog } from "./request-log";
import type { AppEnv } from "./app-env";

/** The Worker's HTTP API: middleware in order, then one sub-app per resource (STYLE.md). */
export const app = new Hono<AppEnv>();
app.onError(onError);
app.notFound(notFound);
app.use(requestLog());
// The API answers JSON only: nothing may frame, sniff or embed it. A WebSocket's 101 answer
// comes from the room with immutable headers and carries no content to protect.
const apiSecurityHeaders = secureHeaders({
  contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  xFrameOptions: "DENY",
  referrerPolicy: "no-referrer",
});
app.use(async function securityHeaders(c, next) {
  return c.req.header("Upgrade")?.toLowerCase() === "websocket" ? next() : apiSecurityHeaders(c, next);
});
// Fails closed before anything else when sign-in is not configured.
app.use("/api/*", requireAuthConfig());
app.get("/api/health", (c) => c.json({ ok: true }));
app.use("/api/*", jsonBodyLimit());
// Ops calls come from the ops CLI with a bearer token, not from a browser: no Origin to check.
app.route("/api/ops", opsRoutes);
app.use("/api/*", requireAllowedOrigin());
app.use("/api/*", jsonOnlyPosts());
app.route("/api", authRoutes);
app.use("/api/projects/*", requireIdentity());
app.use("/api/projects", requireIdentity());
app.route("/api/projects", projectRoutes);
app.route("/api/projects/:p/members", memberRoutes);
app.route("/api/projects/:p/settings", settingsRoutes);
app.route("/api/projects/:p/notifications", notificationRoutes);
app.route("/api/projects/:p/buckets", bucketRoutes);
app.route("/api/projects/:p/users", userRoutes);
app.route("/api/projects/:p/access-review", accessReviewRoutes);
app.route("/api/projects/:p/sftp", sftpRoutes);
app.route("/api/projects/:p/shares", projectShareRoutes);
app.route("/api/projects/:p/operations", operationRoutes);
app.route("/api/projects/:p/resources", resourceEventRoutes);
app.route("/api/shares", publicShareRoutes);
app.route("/webhooks", webhookRoutes);
