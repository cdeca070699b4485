import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackFake, readBody } from './loopback.js';

/**
 * A local stand-in for AWS STS (query protocol, XML), CloudFormation (query protocol, XML) and
 * Organizations (JSON 1.1), on 127.0.0.1. It checks that every request is SigV4-signed and knows which
 * access key signed it, so tests can tell the platform's calls from calls made with assumed credentials.
 */
export type FakeRole = {
  arn: string;
  accountId: string;
  externalId?: string;
  /** Epoch ms before which AssumeRole is denied, as while IAM propagates a new role. */
  availableAt?: number;
  /** What GetCallerIdentity reports (defaults to the ARN's account). */
  reportAccountId?: string;
  organization?: { id: string; managementAccountId: string } | 'none';
};
export type FakeStack = { accountId: string; name: string; status: string; outputs: Record<string, string> };
export type RecordedCall = { service: string; action: string; accessKeyId?: string; region?: string; params: Record<string, string> };

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export class AwsFake extends LoopbackFake {
  roles = new Map<string, FakeRole>();
  stacks: FakeStack[] = [];
  calls: RecordedCall[] = [];
  /** Every secret access key and session token handed out, so tests can prove none leaks. */
  issuedSecrets: string[] = [];
  /** Platform identity: the key the service uses and the ARN GetCallerIdentity answers for it. */
  platform = { accessKeyId: 'AKIAPLATFORM00000001', arn: 'arn:aws:iam::999999999999:role/cloudlink-platform', accountId: '999999999999' };
  /** Fault injection: the next N STS requests get this answer. */
  faults: { kind: 'throttle' | 'server-error' | 'drop' | 'hang'; remaining: number }[] = [];
  private sessions = new Map<string, { roleArn: string; accountId: string; reportAccountId: string }>();

  addRole(role: FakeRole) {
    this.roles.set(role.arn, role);
  }


  callsOf(action: string) {
    return this.calls.filter((c) => c.action === action);
  }

  protected async handle(req: IncomingMessage, res: ServerResponse) {
    const body = await readBody(req);
    const auth = String(req.headers.authorization ?? '');
    const sig = /^AWS4-HMAC-SHA256 Credential=([A-Z0-9]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z]+)\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/.exec(auth);
    const target = String(req.headers['x-amz-target'] ?? '');
    if (target.startsWith('AWSOrganizations')) return this.organizations(target.split('.')[1] ?? '', sig, res);
    const params = Object.fromEntries(new URLSearchParams(body));
    const action = params.Action ?? '';
    const service = sig?.[4] ?? 'unknown';
    this.calls.push({ service, action, accessKeyId: sig?.[1], region: sig?.[3], params });
    if (!sig) return this.queryError(res, 403, 'IncompleteSignature', 'Authorization header requires a SigV4 signature.');

    const fault = this.faults[0];
    if (fault && service === 'sts') {
      if (--fault.remaining <= 0) this.faults.shift();
      if (fault.kind === 'throttle') return this.queryError(res, 400, 'Throttling', 'Rate exceeded');
      if (fault.kind === 'server-error') return this.queryError(res, 500, 'InternalFailure', 'An internal error occurred.', 'Receiver');
      if (fault.kind === 'drop') {
        res.writeHead(200, { 'content-type': 'text/xml', 'content-length': '500' });
        res.write('<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>');
        return void setTimeout(() => res.socket?.destroy(), 5);
      }
      if (fault.kind === 'hang') return; // never answers: the client's timeout must fire
    }
    if (service === 'sts' && action === 'AssumeRole') return this.assumeRole(params, sig[1]!, res);
    if (service === 'sts' && action === 'GetCallerIdentity') return this.getCallerIdentity(sig[1]!, res);
    if (service === 'cloudformation' && action === 'DescribeStacks') return this.describeStacks(params, sig[1]!, res);
    return this.queryError(res, 400, 'InvalidAction', `Could not find operation ${action}`);
  }

  private assumeRole(p: Record<string, string>, key: string, res: ServerResponse) {
    const role = this.roles.get(p.RoleArn ?? '');
    const caller = key === this.platform.accessKeyId ? this.platform.arn : `session ${key}`;
    const denied = () => this.queryError(res, 403, 'AccessDenied', `User: ${caller} is not authorized to perform: sts:AssumeRole on resource: ${p.RoleArn}`);
    if (key !== this.platform.accessKeyId) return denied();
    if (!role || (role.availableAt && Date.now() < role.availableAt)) return denied();
    if (role.externalId !== undefined && role.externalId !== p.ExternalId) return denied();
    const accessKeyId = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
    this.sessions.set(accessKeyId, { roleArn: role.arn, accountId: role.accountId, reportAccountId: role.reportAccountId ?? role.accountId });
    const roleName = role.arn.split('/').pop();
    const exp = new Date(Date.now() + 900_000).toISOString();
    const secret = randomBytes(30).toString('base64'); // 40 characters, like a real secret access key
    const sessionToken = randomBytes(40).toString('base64');
    this.issuedSecrets.push(secret, sessionToken);
    this.xml(res, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <AssumedRoleUser><AssumedRoleId>AROA${randomBytes(6).toString('hex').toUpperCase()}:${xmlEscape(p.RoleSessionName ?? '')}</AssumedRoleId><Arn>arn:aws:sts::${role.accountId}:assumed-role/${roleName}/${xmlEscape(p.RoleSessionName ?? '')}</Arn></AssumedRoleUser>
    <Credentials><AccessKeyId>${accessKeyId}</AccessKeyId><SecretAccessKey>${secret}</SecretAccessKey><SessionToken>${sessionToken}</SessionToken><Expiration>${exp}</Expiration></Credentials>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>
</AssumeRoleResponse>`);
  }

  private getCallerIdentity(key: string, res: ServerResponse) {
    const s = this.sessions.get(key);
    const [arn, account] = s ? [s.roleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/') + '/cloudlink-verify', s.reportAccountId] : key === this.platform.accessKeyId ? [this.platform.arn, this.platform.accountId] : [undefined, undefined];
    if (!arn) return this.queryError(res, 403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
    this.xml(res, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult><Arn>${arn}</Arn><UserId>AIDAEXAMPLE:${key}</UserId><Account>${account}</Account></GetCallerIdentityResult>
  <ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>`);
  }

  private describeStacks(p: Record<string, string>, key: string, res: ServerResponse) {
    const s = this.sessions.get(key);
    const stack = s && this.stacks.find((x) => x.accountId === s.accountId && x.name === p.StackName);
    if (!stack) return this.queryError(res, 400, 'ValidationError', `Stack with id ${p.StackName} does not exist`);
    const outputs = Object.entries(stack.outputs)
      .map(([k, v]) => `<member><OutputKey>${k}</OutputKey><OutputValue>${xmlEscape(v)}</OutputValue></member>`)
      .join('');
    this.xml(res, `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
  <DescribeStacksResult><Stacks><member><StackName>${stack.name}</StackName><StackId>arn:aws:cloudformation:us-east-1:${stack.accountId}:stack/${stack.name}/${randomUUID()}</StackId><CreationTime>2026-11-01T00:00:00.000Z</CreationTime><StackStatus>${stack.status}</StackStatus><Outputs>${outputs}</Outputs></member></Stacks></DescribeStacksResult>
  <ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>
</DescribeStacksResponse>`);
  }

  private organizations(op: string, sig: RegExpExecArray | null, res: ServerResponse) {
    this.calls.push({ service: 'organizations', action: op, accessKeyId: sig?.[1], region: sig?.[3], params: {} });
    const s = sig ? this.sessions.get(sig[1]!) : undefined;
    const role = s ? this.roles.get(s.roleArn) : undefined;
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
      res.end(JSON.stringify(body));
    };
    if (op !== 'DescribeOrganization' || !role) return json(400, { __type: 'AccessDeniedException', message: 'You don\'t have permissions to access this resource.' });
    if (!role.organization || role.organization === 'none') return json(400, { __type: 'AWSOrganizationsNotInUseException', message: 'Your account is not a member of an organization.' });
    const o = role.organization;
    json(200, { Organization: { Id: o.id, Arn: `arn:aws:organizations::${o.managementAccountId}:organization/${o.id}`, FeatureSet: 'ALL', MasterAccountArn: `arn:aws:organizations::${o.managementAccountId}:account/${o.id}/${o.managementAccountId}`, MasterAccountId: o.managementAccountId, MasterAccountEmail: 'root@example.com' } });
  }

  private xml(res: ServerResponse, body: string) {
    res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() });
    res.end(body);
  }

  private queryError(res: ServerResponse, status: number, code: string, message: string, type = 'Sender') {
    res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() });
    res.end(`<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>${type}</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`);
  }
}
