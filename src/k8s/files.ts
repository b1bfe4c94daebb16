import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Model } from '@kubernetes-models/base';
import { stringify } from 'yaml';
import { ensureDir } from '../system/osUser.js';
import type { K8sRender } from './render.js';

/** `statefulset-bill-inquiry.yaml`: one file per object, named by kind and name. */
const fileName = (o: Model<unknown>): string => {
  const { kind, metadata } = o.toJSON() as { kind: string; metadata: { name: string } };
  return `${kind.toLowerCase()}-${metadata.name}.yaml`;
};

export interface WrittenK8s {
  dir: string;
  files: string[];
  objects: number;
}

/**
 * Writes the render as a kustomize directory: base/, migration/ and workload/
 * each with a kustomization.yaml, and a top-level kustomization of base +
 * workload (`kubectl apply -k <dir>` after the migration Job completed).
 */
export function writeK8s(render: K8sRender, dir: string): WrittenK8s {
  const files: string[] = [];
  const write = (file: string, text: string) => {
    writeFileSync(file, text);
    files.push(path.relative(dir, file));
  };
  for (const layer of render.layers) {
    const layerDir = path.join(dir, layer.dir);
    ensureDir(layerDir, 0o755);
    const names = layer.objects.map((o) => {
      write(path.join(layerDir, fileName(o)), stringify(o.toJSON()));
      return fileName(o);
    });
    write(path.join(layerDir, 'kustomization.yaml'), kustomization(names));
  }
  write(path.join(dir, 'kustomization.yaml'), kustomization(['base', 'workload']));
  return { dir, files, objects: render.layers.reduce((n, l) => n + l.objects.length, 0) };
}

const kustomization = (resources: string[]): string =>
  stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources });
