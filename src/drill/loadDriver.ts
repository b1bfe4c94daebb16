/**
 * What the failover drill puts under load. `attempt` performs one write and
 * resolves with its id only once the write is acknowledged; `lost` is asked
 * after the failover which acknowledged ids the new primary lacks.
 */
export interface LoadDriver {
  readonly description: string;
  attempt(writer: number): Promise<string>;
  lost(acknowledged: string[]): Promise<number>;
  /** True once any of these acknowledged ids is durably on the current primary (errors count as false). */
  persisted(ids: string[]): Promise<boolean>;
  close(): Promise<void>;
}
