// Proves ContinueUpdateRollback is sent as AWS documents it (moto does not implement it), with the operation id as ClientRequestToken and the execution role.
import { describe, expect, it } from "vitest";
import { cloudFormationClient } from "./cloudformation";
import { xmlResponse } from "../../test/aws/recorded-answers";
import { scriptedAws } from "../../test/aws/test-kit";

const answer = `<ContinueUpdateRollbackResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
  <ContinueUpdateRollbackResult/>
  <ResponseMetadata><RequestId>5ccc7dcd-744c-11e5-be70-example</RequestId></ResponseMetadata>
</ContinueUpdateRollbackResponse>`;

describe("continueUpdateRollback", () => {
  it("posts the Query API action with stack, token and role", async () => {
    const { fetch, requests } = scriptedAws([() => xmlResponse(answer)]);
    const cfn = cloudFormationClient({
      region: "eu-west-1",
      credentials: { accessKeyId: "AKIAEXAMPLE", secretAccessKey: "secret" },
      roleArn: "arn:aws:iam::111111111111:role/stackroom-demo-execution",
      fetch,
    });
    await cfn.continueUpdateRollback({ stackName: "stackroom-demo-bucket-logs", clientRequestToken: "op-1" });
    expect(requests).toHaveLength(1);
    const form = new URLSearchParams(new TextDecoder().decode(await requests[0]?.arrayBuffer()));
    expect(Object.fromEntries(form)).toMatchObject({
      Action: "ContinueUpdateRollback",
      Version: "2010-05-15",
      StackName: "stackroom-demo-bucket-logs",
      ClientRequestToken: "op-1",
      RoleARN: "arn:aws:iam::111111111111:role/stackroom-demo-execution",
    });
    expect(requests[0]?.url).toBe("https://cloudformation.eu-west-1.amazonaws.com/");
  });
});
