import type { Model } from '@kubernetes-models/base';
import type { Config } from '../config/schema.js';
import {
  connectionBudget,
  readPoolOnPrimary,
  RESERVED_CONNECTIONS,
  type ConnectionBudget,
} from '../platform/connectionBudget.js';
import { configMap } from './configMap.js';
import { namespace, serviceAccounts } from './identity.js';
import { cronJobs, migrationJob, migrationJobName } from './jobs.js';
import { kosPort, networkPolicy, podsService, service } from './network.js';
import { hpa, pdb } from './scaling.js';
import { statefulSet } from './workload.js';

/** One kustomization directory and its objects. */
export interface K8sLayer {
  dir: 'base' | 'migration' | 'workload';
  objects: Model<unknown>[];
}

export interface K8sRender {
  layers: K8sLayer[];
  migrationJob: string;
  budget: ConnectionBudget;
  warnings: string[];
}

/**
 * The service on AKS from the one config, in three kustomizations applied in
 * this order (docs/kubernetes.md): `base` (namespace, service accounts,
 * ConfigMap, NetworkPolicy), `migration` (this release's `db apply` Job, waited
 * for), `workload` (StatefulSet, Services, HPA, PDB, CronJobs). Every object is
 * a typed kubernetes-models object and passes its schema's validate().
 */
export function renderK8s(cfg: Readonly<Config>): K8sRender {
  const layers: K8sLayer[] = [
    { dir: 'base', objects: [namespace(cfg), ...serviceAccounts(cfg), configMap(cfg), networkPolicy(cfg)] },
    { dir: 'migration', objects: [migrationJob(cfg)] },
    {
      dir: 'workload',
      objects: [statefulSet(cfg), service(cfg), podsService(cfg), hpa(cfg), pdb(cfg), ...cronJobs(cfg)],
    },
  ];
  for (const layer of layers) for (const o of layer.objects) o.validate();
  const budget = connectionBudget(
    cfg.pool,
    { maxConnections: cfg.server.maxConnections, superuserReserved: RESERVED_CONNECTIONS },
    cfg.service.workers,
    readPoolOnPrimary(cfg),
  );
  return { layers, migrationJob: migrationJobName(cfg), budget, warnings: warnings(cfg, budget) };
}

function warnings(cfg: Readonly<Config>, budget: ConnectionBudget): string[] {
  const k = cfg.k8s;
  const out: string[] = [];
  if (!cfg.service.database)
    out.push(
      'service.database is not set: the pods would start a local PostgreSQL of their own; set it to the Flexible Server (e.g. service.database.primary)',
    );
  if (kosPort(cfg) === undefined)
    out.push(
      'service.kosUrl is not set: on the external topology the pods refuse to start without it (unless service.kosMock.inProcess); set it to the real KOS',
    );
  if (!k.workloadIdentity.clientId && cfg.service.database?.auth === 'entra')
    out.push(
      'service.database.auth is entra but k8s.workloadIdentity.clientId is not set: the pods get no Entra token (use azure template’s output serviceIdentityClientId)',
    );
  if (budget.status !== 'pass')
    out.push(
      `connection budget at the HPA maximum (${cfg.pool.maxInstances} pods): ${budget.detail}. ${budget.action}`,
    );
  if (cfg.pool.instances < k.pdbMinAvailable + 1)
    out.push(
      `pool.instances ${cfg.pool.instances} leaves no pod a node drain may take with k8s.pdbMinAvailable ${k.pdbMinAvailable}`,
    );
  return out;
}
