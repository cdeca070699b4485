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
  /** Actions the role's policy does not allow, e.g. 'organizations:ListAccountsForParent', 'cloudformation:ListStackInstances'. */
  deny?: string[];
  /** The role's MaxSessionDuration in seconds (IAM's default: 3600); longer DurationSeconds are refused. */
  maxSessionSeconds?: number;
};
export type FakeStack = { accountId: string; name: string; status: string; outputs: Record<string, string> };
/** An AWS Organization as Organizations reports it; only the management account's sessions may read it. */
export type FakeOrgUnit = { id: string; name: string; parentId: string };
export type FakeOrgAccount = {
  id: string;
  name: string;
  email: string;
  /** Organizations' Status: ACTIVE, SUSPENDED or PENDING_CLOSURE (State is sent too, derived, unless given). */
  status: string;
  state?: string;
  joinedMethod?: 'INVITED' | 'CREATED';
  joinedTimestamp?: string;
  /** The root or OU the account sits in directly. */
  parentId: string;
};
export type FakeOrganization = {
  id: string;
  managementAccountId: string;
  rootId: string;
  rootName?: string;
  ous: FakeOrgUnit[];
  accounts: FakeOrgAccount[];
  /** Empty pages (with a NextToken) before the last page of every list, as Organizations may send. */
  emptyPagesBeforeLast?: number;
  /** Largest page the fake answers (Organizations' is 20; smaller to force paging). */
  pageSize?: number;
  /** Leave out the retired `Status` field, as AWS does after September 2026, sending only `State`. */
  omitStatus?: boolean;
};
/** One StackSet instance; the StackSet belongs to `ownerAccountId` (the organization's management account by default). */
export type FakeStackInstance = {
  stackSetName: string;
  accountId: string;
  region: string;
  /** CURRENT, OUTDATED or INOPERABLE. */
  status: string;
  /** PENDING, RUNNING, SUCCEEDED, FAILED, CANCELLED, INOPERABLE, SKIPPED_SUSPENDED_ACCOUNT, FAILED_IMPORT. */
  detailedStatus?: string;
  statusReason?: string;
  ouId?: string;
  ownerAccountId?: string;
};
export type RecordedCall = { service: string; action: string; accessKeyId?: string; region?: string; params: Record<string, string> };

const CFN_NS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
const STACKSET_UUID = '3f2b9c1e-7a4d-4e8b-9c61-2d5f0a7b8e13';
const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export class AwsFake extends LoopbackFake {
  roles = new Map<string, FakeRole>();
  stacks: FakeStack[] = [];
  calls: RecordedCall[] = [];
  /** Every secret access key and session token handed out, so tests can prove none leaks. */
  issuedSecrets: string[] = [];
  /** Platform identity: the key the service uses and the ARN GetCallerIdentity answers for it. */
  platform = { accessKeyId: 'AKIAPLATFORM00000001', arn: 'arn:aws:iam::999999999999:role/cloudlink-platform', accountId: '999999999999' };
  /** The organization the management account's role can read (ListRoots, ListOrganizationalUnitsForParent, ListAccountsForParent). */
  org?: FakeOrganization;
  /** StackSets that exist (possibly without instances): name and owning account. */
  stackSets: { name: string; accountId: string }[] = [];
  stackInstances: FakeStackInstance[] = [];
  /** Every answer (any service) is delayed by this many ms. */
  latencyMs = 0;
  /** This fraction of signed requests (any service), at random, is answered with the service's throttling error. */
  throttleRate = 0;
  /**
   * A rate-based quota, as AWS enforces it: per service, a token bucket of this many requests per second
   * (burst of the same size); requests beyond it are throttled. 0: none.
   */
  ratePerSecond = 0;
  private buckets = new Map<string, { tokens: number; at: number }>();
  /** The randomness behind throttleRate (replace it for a deterministic sequence). */
  random: () => number = Math.random;
  /** How many requests were answered with a throttling error by throttleRate. */
  throttled = 0;
  /** Fault injection: the next N STS requests get this answer. */
  faults: { kind: 'throttle' | 'server-error' | 'drop' | 'hang'; remaining: number }[] = [];
  private sessions = new Map<string, { roleArn: string; accountId: string; reportAccountId: string; sessionName: string }>();

  addRole(role: FakeRole) {
    this.roles.set(role.arn, role);
  }


  callsOf(action: string) {
    return this.calls.filter((c) => c.action === action);
  }

  protected async handle(req: IncomingMessage, res: ServerResponse) {
    const body = await readBody(req);
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    const auth = String(req.headers.authorization ?? '');
    const sig = /^AWS4-HMAC-SHA256 Credential=([A-Z0-9]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z]+)\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/.exec(auth);
    const target = String(req.headers['x-amz-target'] ?? '');
    if (target.startsWith('AWSOrganizations')) return this.organizations(target.split('.')[1] ?? '', sig, body, res);
    const params = Object.fromEntries(new URLSearchParams(body));
    const action = params.Action ?? '';
    const service = sig?.[4] ?? 'unknown';
    this.calls.push({ service, action, accessKeyId: sig?.[1], region: sig?.[3], params });
    if (!sig) return this.queryError(res, 403, 'IncompleteSignature', 'Authorization header requires a SigV4 signature.');
    if (this.throttleNow(service)) return this.queryError(res, 400, 'Throttling', 'Rate exceeded');

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
    if (service === 'cloudformation' && action === 'ListStackInstances') return this.listStackInstances(params, sig[1]!, res);
    return this.queryError(res, 400, 'InvalidAction', `Could not find operation ${action}`);
  }

  private assumeRole(p: Record<string, string>, key: string, res: ServerResponse) {
    const role = this.roles.get(p.RoleArn ?? '');
    const caller = key === this.platform.accessKeyId ? this.platform.arn : `session ${key}`;
    const denied = () => this.queryError(res, 403, 'AccessDenied', `User: ${caller} is not authorized to perform: sts:AssumeRole on resource: ${p.RoleArn}`);
    if (key !== this.platform.accessKeyId) return denied();
    if (!role || (role.availableAt && Date.now() < role.availableAt)) return denied();
    if (role.externalId !== undefined && role.externalId !== p.ExternalId) return denied();
    // STS's own rules for what a caller may ask: 900 s up to the role's maximum, a session policy that is JSON.
    const duration = p.DurationSeconds === undefined ? 3600 : Number(p.DurationSeconds);
    if (!Number.isInteger(duration) || duration < 900 || duration > (role.maxSessionSeconds ?? 3600)) {
      return this.queryError(res, 400, 'ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
    }
    if (p.Policy !== undefined) {
      try {
        JSON.parse(p.Policy);
      } catch {
        return this.queryError(res, 400, 'MalformedPolicyDocument', 'The policy is not in the valid JSON format.');
      }
    }
    const accessKeyId = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
    this.sessions.set(accessKeyId, { roleArn: role.arn, accountId: role.accountId, reportAccountId: role.reportAccountId ?? role.accountId, sessionName: p.RoleSessionName ?? '' });
    const roleName = role.arn.split('/').pop();
    const exp = new Date(Date.now() + duration * 1000).toISOString();
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
    const [arn, account] = s ? [s.roleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/') + `/${s.sessionName || 'cloudlink-verify'}`, s.reportAccountId] : key === this.platform.accessKeyId ? [this.platform.arn, this.platform.accountId] : [undefined, undefined];
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

  private throttleNow(service: string) {
    if (this.ratePerSecond > 0) {
      const now = Date.now();
      const b = this.buckets.get(service) ?? { tokens: this.ratePerSecond, at: now };
      b.tokens = Math.min(this.ratePerSecond, b.tokens + ((now - b.at) / 1000) * this.ratePerSecond);
      b.at = now;
      this.buckets.set(service, b);
      if (b.tokens < 1) {
        this.throttled++;
        return true;
      }
      b.tokens -= 1;
    }
    if (this.throttleRate <= 0 || this.random() >= this.throttleRate) return false;
    this.throttled++;
    return true;
  }

  /** The role behind a signing key, and whether that role's policy allows the action. */
  private sessionRole(key: string | undefined) {
    const s = key ? this.sessions.get(key) : undefined;
    return s ? { session: s, role: this.roles.get(s.roleArn) } : undefined;
  }

  private organizations(op: string, sig: RegExpExecArray | null, body: string, res: ServerResponse) {
    let input: Record<string, unknown> = {};
    try {
      input = body ? (JSON.parse(body) as Record<string, unknown>) : {};
    } catch {
      /* answered below as a bad request */
    }
    this.calls.push({ service: 'organizations', action: op, accessKeyId: sig?.[1], region: sig?.[3], params: Object.fromEntries(Object.entries(input).map(([k, v]) => [k, String(v)])) });
    const json = (status: number, out: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
      res.end(JSON.stringify(out));
    };
    const error = (type: string, message: string, extra: Record<string, unknown> = {}) => json(400, { __type: type, Message: message, ...extra });
    if (!sig) return error('IncompleteSignature', 'Authorization header requires a SigV4 signature.');
    if (this.throttleNow('organizations')) return error('TooManyRequestsException', "AWS Organizations can't complete your request because the request rate is too high. Try again later.", { Type: 'AWSOrganizations' });
    const who = this.sessionRole(sig[1]);
    const role = who?.role;
    const denied = () => error('AccessDeniedException', 'You don\'t have permissions to access this resource.');

    if (op === 'DescribeOrganization') {
      if (!role) return denied();
      if (!role.organization || role.organization === 'none') return error('AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.');
      const o = role.organization;
      return json(200, { Organization: { Id: o.id, Arn: `arn:aws:organizations::${o.managementAccountId}:organization/${o.id}`, FeatureSet: 'ALL', MasterAccountArn: `arn:aws:organizations::${o.managementAccountId}:account/${o.id}/${o.managementAccountId}`, MasterAccountId: o.managementAccountId, MasterAccountEmail: 'root@example.com' } });
    }
    if (op !== 'ListRoots' && op !== 'ListOrganizationalUnitsForParent' && op !== 'ListAccountsForParent') return error('UnknownOperationException', `The fake does not implement ${op}.`);
    if (!who || !role) return denied();
    if (role.organization === 'none') return error('AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.');
    const org = this.org;
    if (!org || who.session.accountId !== org.managementAccountId || role.deny?.includes(`organizations:${op}`)) return denied();

    const max = input.MaxResults === undefined ? 20 : Number(input.MaxResults);
    if (!Number.isInteger(max) || max < 1 || max > 20) return error('InvalidInputException', 'You provided a value that does not match the required pattern (MaxResults: 1 to 20).', { Reason: 'INVALID_FULL_NAME_TARGET' });
    const parentId = String(input.ParentId ?? '');
    const arn = (kind: string, id: string) => `arn:aws:organizations::${org.managementAccountId}:${kind}/${org.id}/${id}`;
    let items: unknown[];
    let key: string;
    if (op === 'ListRoots') {
      key = 'ListRoots';
      items = [{ Id: org.rootId, Arn: arn('root', org.rootId), Name: org.rootName ?? 'Root', PolicyTypes: [] }];
    } else {
      if (parentId !== org.rootId && !org.ous.some((ou) => ou.id === parentId)) return error('ParentNotFoundException', 'We can\'t find a root or OU with the ParentId that you specified.');
      key = `${op}:${parentId}`;
      items =
        op === 'ListOrganizationalUnitsForParent'
          ? org.ous.filter((ou) => ou.parentId === parentId).map((ou) => ({ Id: ou.id, Arn: arn('ou', ou.id), Name: ou.name }))
          : org.accounts
              .filter((a) => a.parentId === parentId)
              .map((a) => ({
                Id: a.id,
                Arn: `arn:aws:organizations::${org.managementAccountId}:account/${org.id}/${a.id}`,
                Email: a.email,
                Name: a.name,
                ...(org.omitStatus ? {} : { Status: a.status }),
                State: a.state ?? a.status,
                JoinedMethod: a.joinedMethod ?? 'INVITED',
                JoinedTimestamp: Date.parse(a.joinedTimestamp ?? '2024-01-15T10:00:00.000Z') / 1000, // JSON 1.1: epoch seconds
              }));
    }
    const page = this.page(key, items, input.NextToken, Math.min(max, org.pageSize ?? 20), org.emptyPagesBeforeLast ?? 0);
    if (!page) return error('InvalidInputException', 'The NextToken is not valid for this request.', { Reason: 'INVALID_PAGINATION_TOKEN' });
    const field = op === 'ListRoots' ? 'Roots' : op === 'ListOrganizationalUnitsForParent' ? 'OrganizationalUnits' : 'Accounts';
    json(200, { [field]: page.items, ...(page.next ? { NextToken: page.next } : {}) });
  }

  /**
   * One page of a list, with an opaque token bound to the list it came from. When what is left fits the
   * last page, `emptyBeforeLast` empty pages come first (AWS may answer empty pages before the last).
   */
  private page<T>(list: string, items: T[], token: unknown, size: number, emptyBeforeLast: number): { items: T[]; next?: string } | undefined {
    let at = { list, offset: 0, empties: 0 };
    if (token !== undefined && token !== null && token !== '') {
      try {
        at = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8')) as typeof at;
      } catch {
        return undefined;
      }
      if (at.list !== list || !Number.isInteger(at.offset) || at.offset < 0) return undefined;
    }
    const encode = (t: typeof at) => Buffer.from(JSON.stringify(t)).toString('base64url');
    const last = at.offset + size >= items.length;
    if (last && at.empties < emptyBeforeLast) return { items: [], next: encode({ ...at, empties: at.empties + 1 }) };
    const slice = items.slice(at.offset, at.offset + size);
    return last ? { items: slice } : { items: slice, next: encode({ list, offset: at.offset + size, empties: 0 }) };
  }

  private listStackInstances(p: Record<string, string>, key: string, res: ServerResponse) {
    const who = this.sessionRole(key);
    const name = p.StackSetName ?? '';
    if (!who?.role || who.role.deny?.includes('cloudformation:ListStackInstances')) {
      return this.queryError(res, 403, 'AccessDenied', `User: arn:aws:sts::${who?.session.accountId ?? 'unknown'}:assumed-role/cloudlink is not authorized to perform: cloudformation:ListStackInstances on resource: arn:aws:cloudformation:us-east-1:${who?.session.accountId ?? 'unknown'}:stackset/${name}:*`, 'Sender', CFN_NS);
    }
    if (p.CallAs && p.CallAs !== 'SELF' && p.CallAs !== 'DELEGATED_ADMIN') return this.queryError(res, 400, 'ValidationError', `1 validation error detected: Value '${p.CallAs}' at 'callAs' failed to satisfy constraint`, 'Sender', CFN_NS);
    const account = who.session.accountId;
    const owner = (i: FakeStackInstance) => i.ownerAccountId ?? this.org?.managementAccountId;
    const instances = this.stackInstances.filter((i) => i.stackSetName === name && owner(i) === account);
    if (!instances.length && !this.stackSets.some((s) => s.name === name && s.accountId === account)) {
      return this.queryError(res, 404, 'StackSetNotFoundException', `StackSet ${name} not found`, 'Sender', CFN_NS);
    }
    const max = p.MaxResults === undefined ? 100 : Number(p.MaxResults);
    if (!Number.isInteger(max) || max < 1 || max > 100) return this.queryError(res, 400, 'ValidationError', `1 validation error detected: Value '${p.MaxResults}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100`, 'Sender', CFN_NS);
    const page = this.page(`ListStackInstances:${name}`, instances, p.NextToken, max, 0);
    if (!page) return this.queryError(res, 400, 'ValidationError', 'Invalid NextToken', 'Sender', CFN_NS);
    const setId = `${name}:${STACKSET_UUID}`;
    const members = page.items
      .map(
        (i) => `<member>
        <StackSetId>${xmlEscape(setId)}</StackSetId>
        <Region>${i.region}</Region>
        <Account>${i.accountId}</Account>
        <StackId>arn:aws:cloudformation:${i.region}:${i.accountId}:stack/StackSet-${xmlEscape(name)}-${STACKSET_UUID}/${STACKSET_UUID}</StackId>
        <Status>${i.status}</Status>${i.statusReason ? `\n        <StatusReason>${xmlEscape(i.statusReason)}</StatusReason>` : ''}
        <StackInstanceStatus>${i.detailedStatus ? `<DetailedStatus>${i.detailedStatus}</DetailedStatus>` : ''}</StackInstanceStatus>${i.ouId ? `\n        <OrganizationalUnitId>${i.ouId}</OrganizationalUnitId>` : ''}
        <DriftStatus>NOT_CHECKED</DriftStatus>
        <LastOperationId>${STACKSET_UUID}</LastOperationId>
      </member>`,
      )
      .join('');
    this.xml(res, `<ListStackInstancesResponse xmlns="${CFN_NS}">
  <ListStackInstancesResult>
    <Summaries>${members}</Summaries>${page.next ? `\n    <NextToken>${page.next}</NextToken>` : ''}
  </ListStackInstancesResult>
  <ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>
</ListStackInstancesResponse>`);
  }

  private xml(res: ServerResponse, body: string) {
    res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() });
    res.end(body);
  }

  private queryError(res: ServerResponse, status: number, code: string, message: string, type = 'Sender', ns = 'https://sts.amazonaws.com/doc/2011-06-15/') {
    res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() });
    res.end(`<ErrorResponse xmlns="${ns}"><Error><Type>${type}</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`);
  }
}
