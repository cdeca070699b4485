import { z } from 'zod';
import { RoleDetails, RoleSetup, RoleSetupView, RoleView } from '../aws-role/schema.js';
import { catalogRow } from '../catalog-row.js';

export const AwsDetails = RoleDetails.extend({
  kind: z.enum(['management', 'linked']),
  organizationId: z.string().optional(),
  /** Internal id of the management account a linked account belongs to. */
  managementAccountId: z.string().optional(),
  /** Set when the account was linked as a member of a linked organization (its record's id). */
  viaOrganization: z.string().optional(),
});

export const awsRow = catalogRow({ id: 'aws', label: 'AWS', details: AwsDetails, setup: { key: 'aws', schema: RoleSetup, view: RoleSetupView }, view: { key: 'aws', schema: RoleView } });
