// Proves SFTP end to end in the browser: an owner turns the project's SFTP server on (cost said first), gives a new user SFTP access with an SSH key whose fingerprint the form shows as ssh-keygen does, hands it over with a one-time link whose SFTP section shows the server's host key exactly as an SSH client receives it (fingerprint and known_hosts line) and ties the S3 bucket name to its SFTP folder, lets the real OpenSSH client upload into the granted bucket with strict host key checking, and turning SFTP off waits until no user has it.
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import ssh2 from "ssh2";
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

/** The host key an SSH client receives from `host:port` (ssh2's hostVerifier sees the raw key blob), then hangs up. */
function receivedHostKey(host: string, port: number): Promise<{ fingerprint: string; blob: string }> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    let seen: { fingerprint: string; blob: string } | undefined;
    client.on("error", (err) => (seen ? resolve(seen) : reject(err)));
    client.on("close", () => (seen ? resolve(seen) : reject(new Error("the server sent no host key"))));
    client.connect({
      host,
      port,
      username: "nobody",
      readyTimeout: 15_000,
      hostVerifier: (key: Buffer) => {
        seen = { fingerprint: `SHA256:${createHash("sha256").update(key).digest("base64").replace(/=+$/, "")}`, blob: key.toString("base64") };
        return false;
      },
    });
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
        // The cost is confirmed before anything is created.
        assert.match(await alice.getByTestId("sftp-enable-question").innerText(), /about \$\d+ a month/);
        assert.equal(await alice.getByTestId("sftp-server").count(), 0, "SFTP started before its cost was confirmed");
        await alice.getByTestId("sftp-enable-confirm").click();
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
        assert.match(await text(recipient, "share-sftp-folder"), new RegExp(`^/${bucket}\\s*Read-write`));
        assert.match(await text(recipient, "snippet-sftp"), new RegExp(`sftp -i ~/.ssh/id_ed25519 -P ${port} ${user}@${host}`));
        // The S3 name and the SFTP folder are one bucket, and the page says so.
        const physical = await text(recipient, "share-bucket");
        assert.equal((await text(recipient, "share-sftp-same")).replace(/\s+/g, " "), `On SFTP, the bucket ${physical} is the folder /${bucket}.`);
        assert.match(await text(recipient, "share-sftp-folder"), /List, download, upload and delete/);

        // The server's host key: the fingerprint shown is the one an SSH client receives, and so is the known_hosts line.
        const hostFingerprint = await text(recipient, "share-sftp-host-fingerprint");
        const knownHosts = await text(recipient, "share-sftp-known-hosts");
        const received = await receivedHostKey("127.0.0.1", port);
        assert.equal(hostFingerprint, received.fingerprint);
        assert.equal(knownHosts, `[${host}]:${port} ssh-ed25519 ${received.blob}`);
        const scanned = execFileSync("ssh-keygen", ["-lf", "-"], { input: `${knownHosts}\n`, encoding: "utf8" }).split(" ");
        assert.equal(scanned[1], hostFingerprint, "ssh-keygen -l reads the page's line as the page's fingerprint");
        assert.match(await text(recipient, "snippet-sftp"), new RegExp(`echo '\\[${host}\\]:${port} ssh-ed25519 ${received.blob.replace(/[+/]/g, "\\$&")}' >> ~/.ssh/known_hosts`));
        const configName = `stackroom-demo-${user}`;
        assert.match(await text(recipient, "snippet-rclone-sftp"), new RegExp(`^\\[${configName}-sftp\\][\\s\\S]*known_hosts_file = ~/.ssh/known_hosts`));
        assert.equal(await text(recipient, "share-config-name"), configName);
        const [download] = await Promise.all([recipient.waitForEvent("download"), recipient.getByTestId("download-known-hosts").click()]);
        assert.equal(download.suggestedFilename(), `${configName}.known_hosts`);
        const knownHostsFile = join(dir, "known_hosts");
        writeFileSync(knownHostsFile, readFileSync(await download.path(), "utf8"));
        await expectAccessible(recipient, "share page with SFTP");
        await screenshot(recipient, "share-with-sftp");
        // On a phone the long lines (host key, known_hosts) wrap: the page never scrolls sideways.
        await recipient.setViewportSize({ width: 390, height: 844 });
        assert.ok(Number(await recipient.evaluate("document.documentElement.scrollWidth")) <= 390, "the share page is wider than a 390 px phone");
        await screenshot(recipient, "share-with-sftp-390");
        await recipient.setViewportSize({ width: 1360, height: 900 });

        // The partner does exactly what the page says, with the real OpenSSH client, checking the
        // host key against the downloaded known_hosts (a wrong key there is refused: the check is real).
        writeFileSync(join(dir, "report.csv"), "a,b\n1,2\n");
        const strict = (file: string) => ["-i", keyFile, "-P", String(port), "-o", "StrictHostKeyChecking=yes", "-o", `UserKnownHostsFile=${file}`, "-o", "BatchMode=yes", `${user}@${host}`];
        const session = await sftpBatch(strict(knownHostsFile), `cd /${bucket}\nput ${join(dir, "report.csv")} report.csv\nls\n`);
        assert.equal(session.code, 0, session.out);
        assert.match(session.out, /report\.csv/);
        execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "impostor")]);
        const impostor = readFileSync(join(dir, "impostor.pub"), "utf8").split(" ").slice(0, 2).join(" ");
        writeFileSync(join(dir, "wrong_known_hosts"), `[${host}]:${port} ${impostor}\n`);
        const refused = await sftpBatch(strict(join(dir, "wrong_known_hosts")), "ls\n");
        assert.notEqual(refused.code, 0);
        assert.match(refused.out, /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);

        // Turning SFTP off waits until nobody has it.
        await openTab(alice, "sftp");
        assert.equal(await alice.getByTestId("sftp-disable").isDisabled(), true);
        assert.match(await text(alice, "sftp-disable-hint"), new RegExp(`${user} still has SFTP access`));
        await expectAccessible(alice, "SFTP tab, on, with a user");
        await screenshot(alice, "sftp-off-waits-for-users");
        // The server's own page: where to connect, its settings, and who may, each a link to the user's page.
        await alice.getByTestId("sftp-details").click();
        await alice.waitForURL("**/projects/demo/sftp");
        assert.equal(await text(alice, "sftp-page-host"), host);
        assert.match(await text(alice, "sftp-page-fingerprint"), /^SHA256:[A-Za-z0-9+/]{43}$/);
        assert.match(await alice.getByTestId("sftp-settings").innerText(), /TransferSecurityPolicy-/);
        assert.equal(await alice.getByTestId("sftp-page-users").getByRole("link", { name: user }).getAttribute("href"), `/projects/demo/users/${user}`);
        await expectAccessible(alice, "SFTP server page");
        await screenshot(alice, "sftp-server-page");
        await alice.goBack();
        await alice.waitForURL(/\/projects\/demo\?tab=sftp$/);
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
