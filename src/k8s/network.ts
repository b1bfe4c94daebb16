import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import type { INetworkPolicyPeer, INetworkPolicyPort } from 'kubernetes-models/networking.k8s.io/v1';
import { Service } from 'kubernetes-models/v1';
import type { Config } from '../config/schema.js';
import { labels, objectNames, selector } from './names.js';

/** The Service clients and the ingress use (k8s.service: the design's name and port by default). */
export function service(cfg: Readonly<Config>): Service {
  const k = cfg.k8s;
  return new Service({
    metadata: { name: k.service.name, namespace: k.namespace, labels: labels(k) },
    spec: {
      type: 'ClusterIP',
      selector: selector(k),
      ports: [{ name: 'http', port: k.service.port, targetPort: 'http', protocol: 'TCP' }],
    },
  });
}

/** The headless Service that names the StatefulSet's pods (its `serviceName`). */
export function podsService(cfg: Readonly<Config>): Service {
  const k = cfg.k8s;
  return new Service({
    metadata: { name: objectNames(k).pods, namespace: k.namespace, labels: labels(k) },
    spec: {
      clusterIP: 'None',
      selector: selector(k),
      ports: [{ name: 'http', port: cfg.service.port, targetPort: 'http', protocol: 'TCP' }],
    },
  });
}

/** The port of the configured KOS URL (its scheme's default without one); undefined when the bundled mock is used. */
export function kosPort(cfg: Readonly<Config>): number | undefined {
  if (!cfg.service.kosUrl) return undefined;
  const url = new URL(cfg.service.kosUrl);
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

/**
 * §7 NetworkPolicy of the service's pods: ingress only from the Application
 * Gateway's subnet (k8s.ingressFrom) to the HTTP port; egress only to DNS
 * (kube-system), PostgreSQL, Redis, KOS and 443 (Entra ID, ARM / Azure Monitor,
 * Blob Storage). The admin jobs are not selected: they reach the same places.
 */
export function networkPolicy(cfg: Readonly<Config>): NetworkPolicy {
  const k = cfg.k8s;
  const tcp = (port: number): INetworkPolicyPort => ({ protocol: 'TCP', port });
  const to: INetworkPolicyPeer[] = k.egress.to.map((cidr) => ({ ipBlock: { cidr } }));
  const ports = [k.egress.postgresPort, ...k.egress.redisPorts, kosPort(cfg), k.egress.httpsPort].filter(
    (p, i, all): p is number => p !== undefined && all.indexOf(p) === i,
  );
  return new NetworkPolicy({
    metadata: { name: k.name, namespace: k.namespace, labels: labels(k) },
    spec: {
      podSelector: { matchLabels: selector(k) },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        {
          from: k.ingressFrom.map((cidr) => ({ ipBlock: { cidr } })),
          ports: [tcp(cfg.service.port)],
        },
      ],
      egress: [
        {
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
        { ...(to.length ? { to } : {}), ports: ports.map(tcp) },
      ],
    },
  });
}
