// Proves the recipient's side of a link with a passphrase: nothing is fetched until Reveal, the link carries no verifier (only the server can check a passphrase), a wrong passphrase costs one of five tries and the manager sees it, the right one opens it, five wrong ones lock it for good (the manager sees why), the key leaves the address bar and history, the downloaded profile is named after the project and user and made without a request, a reload before Reveal says the link still works and to open it again, and a reload after Reveal says when the link was opened. Also: Escape on "Delete for good?" closes only the question.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { Locator, Page } from "playwright-core";
import { setUp, openProject, openTab, uniqueBucketName, waitForStatus, waitForUserStatus, type BrowserScenario } from "./harness";

/** A fresh bucket and user in the demo project, and the keys dialog open on the user's new access key. */
async function newKeyDialog(alice: Page, url: string, prefix: string): Promise<{ keys: Locator; accessKeyId: string; user: string }> {
  await openProject(alice, "demo");
  const bucket = uniqueBucketName(prefix);
  const user = `${prefix}-${Date.now().toString(36)}`;
  await setUp(alice, url, "/buckets", { name: bucket });
  await waitForStatus(alice, bucket, "ready");
  await setUp(alice, url, "/users", { name: user, permissions: [{ bucket, access: "readwrite" }] });
  await waitForUserStatus(alice, user, "ready");
  await openTab(alice, "users");
  await alice.getByTestId(`keys-${user}`).click();
  const keys = alice.getByTestId("keys-dialog");
  await keys.getByTestId("create-key").click();
  return { keys, accessKeyId: ((await keys.getByTestId("new-key-id").textContent()) ?? "").trim(), user };
}

export const scenarios: BrowserScenario[] = [
  {
    name: "a link with a passphrase opens only on Reveal with the right passphrase; a wrong one costs a try; the key leaves the URL",
    async run({ url, signedIn, anonymous, screenshot }) {
      const alice = await signedIn("alice@example.com");
      const { keys, accessKeyId, user } = await newKeyDialog(alice, url, "reveal");
      // A new secret is concealed until the manager asks to see it.
      assert.equal(await keys.getByTestId("new-key-secret").getAttribute("data-concealed"), "true");
      await keys.getByTestId("new-key-secret-show").click();
      const secret = ((await keys.getByTestId("new-key-secret").textContent()) ?? "").trim();
      await keys.getByTestId("share-use-passphrase").check();
      await keys.getByTestId("share-passphrase-input").fill("short");
      await keys.getByTestId("create-share").click();
      assert.equal(await keys.getByTestId("share-link").count(), 0, "a too-short passphrase made a link");
      assert.equal(await alice.evaluate("document.activeElement?.getAttribute('data-testid')"), "share-passphrase-input", "focus did not move to the bad field");
      await keys.getByTestId("share-passphrase-input").fill("tide pool 7");
      await keys.getByTestId("create-share").click();
      const link = ((await keys.getByTestId("share-link").textContent()) ?? "").trim();
      // Once sealed in the link, the manager's screen no longer shows the secret.
      assert.equal(await keys.getByTestId("new-key-secret").getAttribute("data-masked"), "true");
      assert.ok(!((await keys.getByTestId("new-key-secret").textContent()) ?? "").includes(secret), "the secret is still on screen");
      await keys.getByTestId("share-passphrase-note").waitFor();
      await screenshot(alice, "link-with-passphrase");

      const fragment = new URL(link).hash.slice(1);
      assert.match(fragment, /^[A-Za-z0-9_-]{43}\.p$/, "the fragment carries the key and a passphrase marker, nothing to test guesses against");

      const recipient = await anonymous();
      const requested: string[] = [];
      recipient.on("request", (r) => requested.push(r.url()));
      const api = () => requested.filter((u) => new URL(u).pathname.startsWith("/api/"));
      // A reload before Reveal finds the key gone from the address bar, and says the link still works.
      await recipient.goto(link);
      await recipient.getByTestId("share-reveal").waitFor();
      await recipient.reload();
      await recipient.locator('[data-testid="share-problem"][data-problem="reloaded"]').waitFor();
      assert.deepEqual(api().map((u) => new URL(u).pathname), [`/api/shares/${new URL(link).pathname.split("/").pop() ?? ""}/status`], "the reload asked more than the link's status");
      await screenshot(recipient, "reload-before-reveal");
      requested.length = 0;

      await recipient.goto(link);
      await recipient.getByTestId("share-reveal").waitFor();
      assert.equal(new URL(recipient.url()).hash, "", "the key is still in the address bar");
      assert.ok(!JSON.stringify(await recipient.evaluate("history.state")).includes(fragment), "the key is still in the history entry");
      assert.deepEqual(api(), [], "the page fetched the share before Reveal");
      await screenshot(recipient, "before-reveal");

      await recipient.getByTestId("share-passphrase").fill("tide pool 8");
      await recipient.getByTestId("share-reveal-button").click();
      const error = recipient.getByTestId("share-passphrase-error");
      await error.waitFor();
      assert.match((await error.textContent()) ?? "", /does not open this link\. 4 tries are left/);
      assert.equal(api().length, 1, "the server, not the page, judges a passphrase");
      const row = alice.getByTestId("shares-card").locator(`[data-testid="share-row"][data-key="${accessKeyId}"]`);
      const status = row.getByTestId("share-status");
      assert.equal(await status.getAttribute("data-status"), "pending", "the wrong passphrase used the link up");
      await row.getByTestId("share-failed-proofs").filter({ hasText: "1 wrong try" }).waitFor();
      await screenshot(recipient, "wrong-passphrase");

      await recipient.getByTestId("share-passphrase").fill("tide pool 7");
      await recipient.getByTestId("share-reveal-button").click();
      await recipient.getByTestId("share-secret").waitFor();
      assert.equal(((await recipient.getByTestId("share-secret").textContent()) ?? "").trim(), secret);
      assert.equal(api().length, 2, "opening took more than one request");
      for (const u of requested) assert.ok(!u.includes(fragment.split(".")[0] ?? fragment), `a request carried the key: ${u}`);
      await screenshot(recipient, "opened");

      const before = requested.length;
      const [download] = await Promise.all([recipient.waitForEvent("download"), recipient.getByTestId("download-aws").click()]);
      const profile = readFileSync(await download.path(), "utf8");
      // Named after the project and user, so a second link's profile does not overwrite this one.
      const profileName = `stackroom-demo-${user}`;
      assert.equal(download.suggestedFilename(), `${profileName}-aws-profile.txt`);
      assert.match(profile, new RegExp(`\\[${profileName}\\]\\naws_access_key_id = ${accessKeyId}\\naws_secret_access_key = ${secret.replace(/[+/]/g, "\\$&")}`));
      assert.match(profile, new RegExp(`\\[profile ${profileName}\\]\\nregion = eu-west-1`));
      assert.deepEqual(requested.slice(before).filter((u) => !u.startsWith("blob:")), [], "the download made a request");

      await status.and(alice.locator('[data-status="viewed"]')).waitFor();

      // A reload after Reveal: the key has left the URL, yet the page says the link was opened, and when.
      const beforeReload = requested.length;
      await recipient.reload();
      const used = recipient.locator('[data-testid="share-problem"][data-problem="used"]');
      await used.waitFor();
      const at = (await used.getAttribute("data-at")) ?? "";
      assert.ok(Math.abs(Date.now() - Date.parse(at)) < 120_000, `opened at ${at}`);
      const heading = ((await used.getByRole("heading").textContent()) ?? "").replace(/\u00a0/g, " ").trim();
      const expected = await recipient.evaluate((iso) => {
        const ms = Date.parse(iso);
        const date = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short", year: "numeric" }).format(ms).replace(/,/g, "");
        return `This link was already opened on ${date} at ${new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" }).format(ms)}`;
      }, at);
      assert.equal(heading, expected);
      assert.match(heading, /on \w{3} .*\b20\d\d at \d\d:\d\d/, "the date and the time of day");
      const afterReload = requested.slice(beforeReload).filter((u) => new URL(u).pathname.startsWith("/api/"));
      assert.deepEqual(afterReload.map((u) => new URL(u).pathname), [`/api/shares/${new URL(link).pathname.split("/").pop() ?? ""}/status`], "the reload asked more than the link's status");
      await screenshot(recipient, "reload-after-reveal");

      // Escape on the key's "Delete for good?" closes the question, not the dialog.
      await keys.getByTestId("key-done").click();
      await keys.getByTestId("delete-key").first().click();
      assert.equal(await alice.evaluate("document.activeElement?.getAttribute('data-testid')"), "delete-key-confirm");
      await alice.keyboard.press("Escape");
      await keys.getByTestId("delete-key-confirm").waitFor({ state: "detached" });
      assert.equal(await keys.count(), 1, "Escape closed the keys dialog");
      assert.equal(await alice.evaluate("document.activeElement?.getAttribute('data-testid')"), "delete-key", "focus fell out of the dialog");
    },
  },
  {
    name: "five wrong passphrases lock a link for good: the right one then finds it locked, and the manager sees why",
    async run({ url, signedIn, anonymous, screenshot }) {
      const alice = await signedIn("alice@example.com");
      const { keys, accessKeyId } = await newKeyDialog(alice, url, "burn");
      await keys.getByTestId("share-use-passphrase").check();
      await keys.getByTestId("share-passphrase-input").fill("harbour light 3");
      await keys.getByTestId("create-share").click();
      const link = ((await keys.getByTestId("share-link").textContent()) ?? "").trim();

      const recipient = await anonymous();
      await recipient.goto(link);
      for (let attempt = 1; attempt <= 4; attempt++) {
        await recipient.getByTestId("share-passphrase").fill(`wrong guess ${attempt}`);
        await recipient.getByTestId("share-reveal-button").click();
        const left = 5 - attempt;
        await recipient.getByTestId("share-passphrase-error").filter({ hasText: `${left} ${left === 1 ? "try is" : "tries are"} left` }).waitFor();
      }
      await recipient.getByTestId("share-passphrase").fill("wrong guess 5");
      await recipient.getByTestId("share-reveal-button").click();
      await recipient.locator('[data-testid="share-problem"][data-problem="burned"]').waitFor();
      await recipient.getByRole("heading", { name: "This link is locked" }).waitFor();
      await screenshot(recipient, "burned");

      // Even the right passphrase finds it locked: the ciphertext is gone.
      const again = await recipient.context().newPage();
      await again.goto(link);
      await again.getByTestId("share-passphrase").fill("harbour light 3");
      await again.getByTestId("share-reveal-button").click();
      await again.locator('[data-testid="share-problem"][data-problem="burned"]').waitFor();
      assert.equal(await again.getByTestId("share-secret").count(), 0, "a locked link was opened");

      const row = alice.getByTestId("shares-card").locator(`[data-testid="share-row"][data-key="${accessKeyId}"]`);
      await row.locator('[data-testid="share-status"][data-status="burned"]').waitFor();
      assert.equal(((await row.getByTestId("share-burned-why").textContent()) ?? "").trim(), "after 5 wrong passphrases");
      await alice.getByTestId("activity").getByText(/was burned after 5 wrong passphrases/).first().waitFor();
      await screenshot(alice, "manager-sees-burned");
    },
  },
];
