/**
 * AWS answers as AWS sends them (pretty-printed, namespaced), for tests of behaviour moto cannot
 * produce: throttling, expired tokens, flaky networks, IAM paging, keys that were used. A fake of
 * AWS, fed to the real client.
 */

export const throttlingXml = `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
  <Error>
    <Type>Sender</Type>
    <Code>Throttling</Code>
    <Message>Rate exceeded</Message>
  </Error>
  <RequestId>9d1c5a3e-6f4b-4e8a-a0c1-2b7d9e8f1a01</RequestId>
</ErrorResponse>
`;

export const expiredTokenXml = `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
  <Error>
    <Type>Sender</Type>
    <Code>ExpiredToken</Code>
    <Message>The security token included in the request is expired</Message>
  </Error>
  <RequestId>0b8e2f7c-1d3a-4c5b-9e6f-7a8b9c0d1e02</RequestId>
</ErrorResponse>
`;

export const describeStacksXml = `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
  <DescribeStacksResult>
    <Stacks>
      <member>
        <CreationTime>2026-11-20T09:14:03.512Z</CreationTime>
        <NotificationARNs>
          <member>arn:aws:sns:eu-west-1:111111111111:stackroom-events</member>
        </NotificationARNs>
        <StackId>arn:aws:cloudformation:eu-west-1:111111111111:stack/stackroom-demo-bucket-logs/5b6c7d80-a6f1-11f0-8b2e-0a1b2c3d4e5f</StackId>
        <StackStatusReason>User Initiated</StackStatusReason>
        <Tags>
          <member>
            <Value>demo</Value>
            <Key>stackroom:project</Key>
          </member>
        </Tags>
        <EnableTerminationProtection>false</EnableTerminationProtection>
        <DriftInformation>
          <StackDriftStatus>NOT_CHECKED</StackDriftStatus>
        </DriftInformation>
        <StackName>stackroom-demo-bucket-logs</StackName>
        <Outputs>
          <member>
            <OutputKey>BucketName</OutputKey>
            <OutputValue>logs-1a2b3c4d</OutputValue>
          </member>
        </Outputs>
        <DisableRollback>false</DisableRollback>
        <RollbackConfiguration/>
        <StackStatus>CREATE_IN_PROGRESS</StackStatus>
      </member>
    </Stacks>
  </DescribeStacksResult>
  <ResponseMetadata>
    <RequestId>3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a603</RequestId>
  </ResponseMetadata>
</DescribeStacksResponse>
`;

export const assumeRoleXml = (expiration: Date) => `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <AssumedRoleUser>
      <AssumedRoleId>AROA3XFRBF535PLBIFPI4:stackroom-demo</AssumedRoleId>
      <Arn>arn:aws:sts::111111111111:assumed-role/stackroom-manager/stackroom-demo</Arn>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAJEXAMPLEXEG2JICEA</AccessKeyId>
      <SecretAccessKey>9drTJvcXLB89EXAMPLELB8923FB892xMFI</SecretAccessKey>
      <SessionToken>AQoXdzELDDY//////////wEaoAK1wvxJY12r2IrDFT2IvAzTCn3zHoZ7YNtpiQLF0MqZye/qwjzP2iEXAMPLE</SessionToken>
      <Expiration>${expiration.toISOString()}</Expiration>
    </Credentials>
  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>
`;

/** An XML answer with AWS's content type. */
export function xmlResponse(body: string, status = 200): Response {
  return new Response(body, { status, headers: { "content-type": "text/xml" } });
}

/** One ListAccessKeys page as AWS sends it; a `marker` makes it a truncated page. */
export const listAccessKeysXml = (keys: ReadonlyArray<{ id: string; status: string; created: string }>, marker?: string) =>
  `<ListAccessKeysResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <ListAccessKeysResult>
    <AccessKeyMetadata>
${keys
  .map(
    (key) => `      <member>
        <UserName>stackroom-demo-user-ana</UserName>
        <AccessKeyId>${key.id}</AccessKeyId>
        <Status>${key.status}</Status>
        <CreateDate>${key.created}</CreateDate>
      </member>`,
  )
  .join("\n")}
    </AccessKeyMetadata>
    <IsTruncated>${marker ? "true" : "false"}</IsTruncated>${marker ? `\n    <Marker>${marker}</Marker>` : ""}
  </ListAccessKeysResult>
  <ResponseMetadata>
    <RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId>
  </ResponseMetadata>
</ListAccessKeysResponse>
`;

export const accessKeyLastUsedXml = `<GetAccessKeyLastUsedResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <GetAccessKeyLastUsedResult>
    <AccessKeyLastUsed>
      <Region>eu-west-1</Region>
      <LastUsedDate>2026-11-19T16:32:00Z</LastUsedDate>
      <ServiceName>s3</ServiceName>
    </AccessKeyLastUsed>
    <UserName>stackroom-demo-user-ana</UserName>
  </GetAccessKeyLastUsedResult>
  <ResponseMetadata>
    <RequestId>510a6abf-d8fd-11e4-9c29-5d7dEXAMPLE</RequestId>
  </ResponseMetadata>
</GetAccessKeyLastUsedResponse>
`;

/** A CreateAccessKey answer; `accessKey` is the inner XML of `<AccessKey>` (AWS's own example leaves out CreateDate). */
export const createAccessKeyXml = (accessKey: string) => `<CreateAccessKeyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <CreateAccessKeyResult>
    <AccessKey>${accessKey}
    </AccessKey>
  </CreateAccessKeyResult>
  <ResponseMetadata>
    <RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId>
  </ResponseMetadata>
</CreateAccessKeyResponse>
`;
