// An in-memory Backend for tests and for running the UI in a plain browser. It behaves
// like the real one at the interface: it returns copies (callers cannot mutate its
// state), it can be slow, and it can fail with a given BackendError per method.

import type { AppInfo, Backend, BackendError, TenantRow } from "./types";

type Method = keyof Backend;

export interface FakeBackendOptions {
  appInfo?: Partial<AppInfo>;
  tenants?: TenantRow[];
  /** Delay before every answer, in milliseconds. */
  latencyMs?: number;
  /** Methods that fail, and with what, until `fail(method, null)` clears them. */
  failures?: Partial<Record<Method, BackendError>>;
}

const DEFAULT_APP_INFO: AppInfo = {
  version: "0.0.0-fake",
  dbPath: ":memory:",
  isDemoData: false,
  demoCreatedNow: false,
};

/** A tenant row with neutral defaults, for building fixtures in a line. */
export function makeTenant(fields: Partial<TenantRow> & Pick<TenantRow, "name">): TenantRow {
  const slug = fields.name.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  return {
    id: `tenant-${slug}`,
    primaryDomain: null,
    entraTenantId: null,
    tags: [],
    isDemo: false,
    captureCount: 0,
    lastCaptureAt: null,
    itemCount: 0,
    failedKinds: [],
    ...fields,
  };
}

function copyTenant(tenant: TenantRow): TenantRow {
  return { ...tenant, tags: [...tenant.tags], failedKinds: [...tenant.failedKinds] };
}

export class FakeBackend implements Backend {
  /** How many times each method was called, for tests that check retries. */
  readonly calls: Record<Method, number> = { appInfo: 0, listTenants: 0 };

  private info: AppInfo;
  private tenants: TenantRow[];
  private latencyMs: number;
  private failures: Partial<Record<Method, BackendError>>;

  constructor(options: FakeBackendOptions = {}) {
    this.info = { ...DEFAULT_APP_INFO, ...options.appInfo };
    this.tenants = (options.tenants ?? []).map(copyTenant);
    this.latencyMs = options.latencyMs ?? 0;
    this.failures = { ...options.failures };
  }

  /** Makes `method` fail with `error` from now on, or succeed again with `null`. */
  fail(method: Method, error: BackendError | null): void {
    if (error) this.failures[method] = error;
    else delete this.failures[method];
  }

  setTenants(tenants: TenantRow[]): void {
    this.tenants = tenants.map(copyTenant);
  }

  async appInfo(): Promise<AppInfo> {
    await this.answer("appInfo");
    return { ...this.info };
  }

  async listTenants(): Promise<TenantRow[]> {
    await this.answer("listTenants");
    return this.tenants.map(copyTenant);
  }

  private async answer(method: Method): Promise<void> {
    this.calls[method] += 1;
    if (this.latencyMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    }
    const failure = this.failures[method];
    if (failure) throw failure;
  }
}
