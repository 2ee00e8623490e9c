// Proves SFTP end to end in the browser: an owner turns the project's SFTP server on (cost said first), gives a new user SFTP access with an SSH key whose fingerprint the form shows as ssh-keygen does, hands it over with a one-time link whose SFTP section lets the real OpenSSH client upload into the granted bucket, and turning SFTP off waits until no user has it.
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { createBucketThroughUi, expectAccessible, openProject, openTab, uniqueBucketName, waitForStatus, waitForUserStatus, type BrowserScenario } from "./harness";

async function text(page: Page, testid: string): Promise<string> {
  return ((await page.getByTestId(testid).first().textContent()) ?? "").trim();
}

/** Runs OpenSSH's sftp in batch mode; resolves with its output and exit code. */
function sftpBatch(args: string[], batch: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = execFile("sftp", ["-b", "-", ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, out: `${stdout}${stderr}` });
    });
    child.stdin?.end(batch);
  });
}

export const scenarios: BrowserScenario[] = [
  {
    name: "alice turns SFTP on, gives a partner an SSH key, and the partner uploads with OpenSSH using what the link shows",
    async run({ signedIn, anonymous, screenshot }) {
      const dir = mkdtempSync(join(tmpdir(), "stackroom-sftp-"));
      try {
        const keyFile = join(dir, "partner");
        execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "partner@laptop", "-f", keyFile]);
        const publicKey = execFileSync("cat", [`${keyFile}.pub`], { encoding: "utf8" }).trim();
        const fingerprint = (execFileSync("ssh-keygen", ["-lf", `${keyFile}.pub`], { encoding: "utf8" }).split(" ")[1] ?? "").trim();
        assert.match(fingerprint, /^SHA256:/);

        const alice = await signedIn("alice@example.com");
        await openProject(alice, "demo");
        const bucket = uniqueBucketName("sftp-in");
        await createBucketThroughUi(alice, bucket);
        await waitForStatus(alice, bucket, "ready");

        // SFTP off: the cost is said before anyone turns it on.
        await openTab(alice, "sftp");
        assert.equal(await text(alice, "sftp-tab-state"), "Off");
        assert.match(await text(alice, "sftp-cost"), /\$0\.30 per hour .*\$0\.04 per GB/s);
        await expectAccessible(alice, "SFTP tab, off");
        await alice.getByTestId("sftp-enable").click();
        await alice.locator('[data-testid="sftp-status"][data-status="ready"]').waitFor({ timeout: 30_000 });
        assert.equal(await text(alice, "sftp-tab-state"), "On");
        const host = await text(alice, "sftp-host");
        assert.equal(host, "localhost");
        const port = Number(await text(alice, "sftp-port"));
        assert.ok(port > 0, "the local stand-in's port is shown");
        await screenshot(alice, "sftp-on");

        // A new user with SFTP access: each pasted line is read at once, like ssh-keygen -l.
        await openTab(alice, "users");
        const user = `partner-${Date.now().toString(36)}`;
        await alice.getByTestId("new-user").click();
        const dialog = alice.getByTestId("new-user-dialog");
        await dialog.getByTestId("user-name").fill(user);
        await dialog.getByTestId("add-grant").click();
        await dialog.getByTestId("grant-bucket").selectOption(bucket);
        await dialog.getByTestId("grant-access").selectOption("readwrite");
        await dialog.getByTestId("user-sftp").check();
        await dialog.getByTestId("user-sftp-keys").fill(`${publicKey}\nssh-rsa AAAAnot-a-key`);
        assert.equal(await text(alice, "user-sftp-fingerprint-0"), fingerprint);
        assert.match(await text(alice, "user-sftp-key-1"), /^Key 2: /);
        await dialog.getByTestId("create-user").click();
        // The bad key keeps the dialog open and focus goes to the keys.
        assert.equal(await alice.evaluate("document.activeElement?.dataset.testid"), "user-sftp-keys");
        await screenshot(alice, "sftp-key-refused");
        await dialog.getByTestId("user-sftp-keys").fill(publicKey);
        await dialog.getByTestId("create-user").click();
        await dialog.waitFor({ state: "detached" });
        await waitForUserStatus(alice, user, "ready", 30_000);
        assert.equal(await text(alice, `user-sftp-${user}`), "SFTP · 1 SSH key");

        // The hand-off: key, link, and the link's SFTP section.
        await alice.getByTestId(`keys-${user}`).click();
        const keys = alice.getByTestId("keys-dialog");
        await keys.getByTestId("create-key").click();
        await keys.getByTestId("create-share").click();
        const link = await text(alice, "share-link");
        await keys.getByTestId("key-done").click();
        await alice.keyboard.press("Escape");
        await keys.waitFor({ state: "detached" });

        const recipient = await anonymous();
        await recipient.goto(link);
        await recipient.getByTestId("share-reveal-button").click();
        await recipient.getByTestId("share-sftp").waitFor();
        assert.equal(await text(recipient, "share-sftp-host"), host);
        assert.equal(Number(await text(recipient, "share-sftp-port")), port);
        assert.equal(await text(recipient, "share-sftp-user"), user);
        assert.equal(await text(recipient, "share-sftp-fingerprint"), fingerprint);
        assert.match(await text(recipient, "share-sftp-folder"), new RegExp(`^/${bucket}\\s*Read-write$`));
        assert.match(await text(recipient, "snippet-sftp"), new RegExp(`sftp -i ~/.ssh/id_ed25519 -P ${port} ${user}@${host}`));
        await expectAccessible(recipient, "share page with SFTP");
        await screenshot(recipient, "share-with-sftp");

        // The partner does exactly what the page says, with the real OpenSSH client.
        writeFileSync(join(dir, "report.csv"), "a,b\n1,2\n");
        const session = await sftpBatch(
          ["-i", keyFile, "-P", String(port), "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", `${user}@${host}`],
          `cd /${bucket}\nput ${join(dir, "report.csv")} report.csv\nls\n`,
        );
        assert.equal(session.code, 0, session.out);
        assert.match(session.out, /report\.csv/);

        // Turning SFTP off waits until nobody has it.
        await openTab(alice, "sftp");
        assert.equal(await alice.getByTestId("sftp-disable").isDisabled(), true);
        assert.match(await text(alice, "sftp-disable-hint"), new RegExp(`${user} still has SFTP access`));
        await expectAccessible(alice, "SFTP tab, on, with a user");
        await screenshot(alice, "sftp-off-waits-for-users");
        await alice.getByTestId("sftp-users").getByRole("button", { name: `Edit ${user}` }).click();
        const edit = alice.getByTestId("edit-user-dialog");
        await edit.getByTestId("user-sftp").uncheck();
        await edit.getByText("can no longer sign in over SFTP").waitFor();
        await edit.getByTestId("save-user").click();
        await edit.waitFor({ state: "detached" });
        await alice.locator('[data-testid="sftp-user-count"]', { hasText: "0" }).waitFor({ timeout: 30_000 });
        await waitForUserStatus(alice, user, "ready", 30_000);
        await alice.getByTestId("sftp-disable").click();
        await alice.getByTestId("sftp-disable-confirm").click();
        await alice.getByTestId("sftp-off").waitFor({ timeout: 30_000 });
        assert.equal(await text(alice, "sftp-tab-state"), "Off");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];
