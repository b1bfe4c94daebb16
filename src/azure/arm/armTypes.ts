/**
 * The shape of an ARM template and the typing of its resources' `properties`
 * by the official Azure SDK models (type-only imports: nothing of them runs in
 * the template; the clients in src/azure/clients are what runs).
 *
 * The SDK models are the REST resources with their `properties` bag flattened
 * into the resource, in camelCase TypeScript names. An ARM template carries
 * the REST API's JSON, so:
 * - `ArmProperties<Model>` takes the model, drops the resource envelope (id,
 *   name, type, location, tags, sku, …) and the members only the server fills
 *   in (`readonly`), and what is left is the `properties` bag;
 * - nested sub-resources (a subnet's delegations, an NSG's rules, a VNet's
 *   subnets) are flattened in the SDK too: `subResource()` puts their members
 *   back under `properties`;
 * - where a TypeScript name differs from the JSON name (a storage account's
 *   `enableHttpsTrafficOnly` is `supportsHttpsTrafficOnly` on the wire, a
 *   metric alert criterion's `odataType` is `odata.type`), `renamed()` maps it,
 *   with the map typed against the model's own keys.
 * test/unit/azure-arm-wire.test.ts runs every resource of the template
 * through the SDK's own deserializer and serializer and checks that nothing
 * is lost or renamed: that is what proves the JSON names.
 */

type IfEquals<X, Y, A, B> = (<U>() => U extends X ? 1 : 2) extends <U>() => U extends Y ? 1 : 2 ? A : B;

/** Keys of T that are not `readonly` (server-populated members are readonly in the SDK models). */
type WritableKeys<T> = {
  [K in keyof T]-?: IfEquals<{ [Q in K]: T[K] }, { -readonly [Q in K]: T[K] }, K, never>;
}[keyof T];

/** Members of the resource envelope, outside `properties` in the JSON (a few resources keep one of them inside). */
export type Envelope =
  | 'id'
  | 'name'
  | 'type'
  | 'location'
  | 'tags'
  | 'sku'
  | 'kind'
  | 'identity'
  | 'zones'
  | 'etag'
  | 'systemData'
  | 'extendedLocation';

/** The `properties` bag of an ARM resource, typed from its (flattened) SDK model. */
export type ArmProperties<T, E extends PropertyKey = Envelope> = Omit<Pick<T, WritableKeys<T>>, E>;

/**
 * Extensible enums are plain `string` in the SDK models (with a `KnownX` enum
 * beside them); `Narrow` replaces such members with the union of known values,
 * so a misspelled value fails typecheck too.
 */
export type Narrow<T, N extends { [K in keyof N]: K extends keyof T ? unknown : never }> = Omit<T, keyof N> & N;

/** The union of a `KnownX` string enum's values, e.g. `Known<KnownHighAvailabilityMode>` = 'Disabled' | 'ZoneRedundant' | 'SameZone'. */
export type Known<E extends string> = `${E}`;

/** A nested sub-resource in JSON form: `{name, properties}` (the SDK flattens it). */
export interface SubResourceJson<P> {
  name: string;
  properties: P;
}

export const subResource = <P>(name: string, properties: P): SubResourceJson<P> => ({ name, properties });

/** Renames SDK member names to their JSON names; the map's keys must be members of the model. */
export function renamed<T extends object, const M extends { [K in keyof T]?: string }>(
  props: T,
  names: M & Record<Exclude<keyof M, keyof T>, never>,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(props).map(([k, v]) => [(names as Record<string, string | undefined>)[k] ?? k, v]),
  );
}

/** One resource of an ARM template. */
export interface ArmResource {
  type: string;
  apiVersion: string;
  name: string;
  location?: string;
  /** Extension resources (diagnostic settings) name the resource they extend. */
  scope?: string;
  sku?: Record<string, unknown>;
  kind?: string;
  identity?: Record<string, unknown>;
  tags?: Record<string, string>;
  dependsOn?: string[];
  properties?: unknown;
}

export interface ArmParameter {
  type: 'string' | 'securestring' | 'int' | 'bool' | 'object' | 'array';
  defaultValue?: unknown;
  metadata?: { description: string };
}

export interface ArmTemplate {
  $schema: string;
  contentVersion: string;
  metadata: Record<string, unknown>;
  parameters: Record<string, ArmParameter>;
  resources: ArmResource[];
  outputs: Record<string, { type: string; value: string }>;
}

/** `[resourceId('type', 'name', …)]`: the id of a resource of this resource group. */
export const resourceId = (type: string, ...names: string[]): string =>
  `[resourceId('${type}', ${names.map((n) => `'${n}'`).join(', ')})]`;

/** The expression inside `[…]`, for composing expressions. */
export const inner = (expr: string): string => expr.slice(1, -1);

/** `[parameters('name')]` */
export const param = (name: string): string => `[parameters('${name}')]`;
