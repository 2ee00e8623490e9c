"""moto's server, as scripts/lib/moto.ts starts it, with one fix to moto 5.2.1.

moto's CloudFormation deletes an AWS::IAM::Role by clearing its name from every inline policy's
`role_names`, but a policy attached only to users (an AWS::IAM::Policy with `Users`) keeps
`role_names = None`, and moto raises TypeError (HTTP 500). AWS deletes the role. Stackroom's user
stacks hold both kinds, so removing a user's SFTP access (which removes its Transfer role) failed
locally only. The fix reads a missing `role_names` as an empty list before moto's own code runs.
Everything else is moto as installed: `python3 moto_server.py <moto.server arguments>`.
"""

import sys

from moto.iam import models as iam

_delete_role = iam.Role.delete_from_cloudformation_json.__func__


def _delete_role_with_user_policies(cls, resource_name, cloudformation_json, account_id, region_name):
    backend = iam.iam_backends[account_id][iam.get_partition(region_name)]
    for policy in backend.inline_policies.values():
        if policy.role_names is None:
            policy.role_names = []
    return _delete_role(cls, resource_name, cloudformation_json, account_id, region_name)


iam.Role.delete_from_cloudformation_json = classmethod(_delete_role_with_user_policies)

from moto.server import main  # noqa: E402  (after the fix, so the server sees it)

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
