import { z } from 'zod';
import { RoleDetails, RoleSetup, RoleSetupView, RoleView } from '../aws-role/schema.js';
import { catalogRow } from '../catalog-row.js';

export const EksDetails = RoleDetails.extend({ clusterName: z.string().optional() });

export const eksRow = catalogRow({ id: 'eks', label: 'Amazon EKS', details: EksDetails, setup: { key: 'aws', schema: RoleSetup, view: RoleSetupView }, view: { key: 'aws', schema: RoleView } });
