import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * cfn-lint on template files, informational checks included. Resolves with what it printed and
 * its exit code (0: clean) instead of throwing, so a test can show the findings.
 */
export async function cfnLint(files: readonly string[]): Promise<{ stdout: string; code: number }> {
  try {
    const { stdout } = await run("cfn-lint", ["--include-checks", "I", "--", ...files]);
    return { stdout, code: 0 };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string };
    return { stdout: failed.stdout ?? String(err), code: typeof failed.code === "number" ? failed.code : 1 };
  }
}

/** The AWS CLI against moto at `endpoint` (region eu-west-1 unless given): JSON answers, `{}` for none. */
export function motoCli(endpoint: string, region = "eu-west-1", credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = { accessKeyId: "test", secretAccessKey: "test" }) {
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    ...(credentials.sessionToken ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
    AWS_DEFAULT_REGION: region,
    AWS_PAGER: "",
  };
  return async (...args: string[]) => {
    const { stdout } = await run("aws", ["--endpoint-url", endpoint, "--output", "json", ...args], { env });
    // The AWS CLI's JSON output, read to inspect what moto created.
    return stdout.trim() ? JSON.parse(stdout) : {};
  };
}
