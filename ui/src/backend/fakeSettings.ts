// The Settings part of the fake backend: report branding and language, tenant
// connections with an in-memory "keychain", the signing key and the data directory. It
// refuses what the Rust side refuses (bad colours, logos that are not PNGs, ids that are
// not GUIDs, a secret before its app id) with messages of the same kind.

import {
  BackendError,
  type DataDirectory,
  type ExportedKey,
  type ReportLanguage,
  type ReportSettingsView,
  type RetiredKey,
  type SaveBrandingRequest,
  type SaveConnectionRequest,
  type SigningKeyView,
  type TenantConnections,
  type TenantConnectionView,
  type TenantRow,
} from "./types";

/** A file the fake can read as a logo. */
export interface FakeLogoFile {
  width: number;
  height: number;
  size: number;
  /** True for a file that exists but is not a PNG. */
  notPng?: boolean;
}

export interface FakeSettingsData {
  /** The saved report settings (defaults: never saved). */
  report?: Partial<ReportSettingsView>;
  /** Files `saveBranding` can read as logos, by full path. Any other path is missing. */
  logoFiles?: Record<string, FakeLogoFile>;
  /** What the keychain calls itself. */
  keychain?: string;
  /** Graph app ids and stored-secret times by tenant id. */
  connections?: Record<string, Partial<TenantConnectionView>>;
  /** The signing key; `null` (the default) until the first view makes one. */
  signingKey?: { fingerprint: string; createdAt: string } | null;
  retiredKeys?: RetiredKey[];
  /** The keychain lost the key's private half. */
  keyMissing?: boolean;
  now?: () => number;
}

/** A 1 × 1 PNG, so previews render in the browser preview. */
const TINY_PNG =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function invalid(message: string): BackendError {
  return new BackendError("invalid_input", message);
}

function guid(text: string, what: "entra" | "app"): string {
  const trimmed = text.trim().replace(/^\{(.*)\}$/, "$1").toLowerCase();
  if (!GUID.test(trimmed)) {
    const where =
      what === "entra"
        ? 'The Entra tenant id is the customer\'s "Tenant ID" on the Overview page of the Microsoft Entra admin centre'
        : "The application (client) id is on the Overview page of the app registration in the Microsoft Entra admin centre";
    throw invalid(`${where}, 36 characters like 72f988bf-86f1-41af-91ab-2d7cd011db47; "${text.trim()}" is not of that form: copy it again from there`);
  }
  return trimmed;
}

function fingerprint(n: number): string {
  return ((n * 2654435761 + 0x2545f491) >>> 0).toString(16).padStart(8, "0").repeat(8);
}

export class FakeSettings {
  /** What `exportPublicKey` wrote, in order. */
  readonly exportedKeys: ExportedKey[] = [];

  private report: ReportSettingsView;
  private readonly logoFiles: Record<string, FakeLogoFile>;
  private readonly keychainName: string;
  private readonly connections: Map<string, Partial<TenantConnectionView>>;
  /** The fake keychain: account → secret. */
  private readonly secrets = new Map<string, string>();
  private key: { fingerprint: string; createdAt: string } | null;
  private retired: RetiredKey[];
  private keyMissing: boolean;
  private keysMade = 0;
  private readonly now: () => number;

  constructor(
    data: FakeSettingsData,
    private readonly tenants: () => TenantRow[],
    private readonly dbPath: () => string,
  ) {
    this.report = {
      mspName: "",
      accentColour: "#1F4E79",
      logo: null,
      language: "en",
      savedAt: null,
      ...data.report,
    };
    this.logoFiles = { ...data.logoFiles };
    this.keychainName = data.keychain ?? "Secret Service";
    this.connections = new Map(Object.entries(data.connections ?? {}));
    this.key = data.signingKey ?? null;
    this.retired = [...(data.retiredKeys ?? [])];
    this.keyMissing = data.keyMissing ?? false;
    this.now = data.now ?? (() => Date.now());
    for (const [tenantId, connection] of this.connections) {
      if (connection.secretSetAt) this.secrets.set(this.account(tenantId), "fake-secret");
    }
  }

  /** The secret the fake keychain holds for a tenant (tests check it got there). */
  storedSecret(tenantId: string): string | undefined {
    return this.secrets.get(this.account(tenantId));
  }

  /** Loses the signing key's private half, as a wiped keychain would. */
  loseKey(): void {
    this.keyMissing = true;
  }

  settings(): ReportSettingsView {
    return structuredClone(this.report);
  }

  saveBranding(request: SaveBrandingRequest): ReportSettingsView {
    const name = request.mspName.trim();
    if (!name) {
      throw invalid("Enter the MSP name: reports print it on the cover and in every page's header");
    }
    const digits = request.accentColour.trim().replace(/^#/, "");
    if (!/^[0-9a-fA-F]{6}$/.test(digits)) {
      throw invalid(
        `The accent colour "${request.accentColour.trim()}" is not of the form #RRGGBB: enter six hexadecimal digits after the #, for example #1F4E79`,
      );
    }
    let logo = this.report.logo;
    const path = request.logoPath?.trim() ?? "";
    if (path) {
      if (!path.startsWith("/")) {
        throw invalid(`${path} is not a full path: enter the PNG file's full path, for example /home/you/Pictures/logo.png`);
      }
      const file = this.logoFiles[path];
      if (!file) throw invalid(`cannot read the logo ${path} (No such file or directory): check the path`);
      if (file.notPng) {
        throw invalid(`${path} is not a PNG image reports can use (Invalid PNG signature.): save the logo as PNG and choose that file`);
      }
      logo = {
        dataUrl: TINY_PNG,
        sha256: fingerprint(file.size),
        size: file.size,
        width: file.width,
        height: file.height,
        source: path,
      };
    } else if (request.removeLogo) {
      logo = null;
    }
    this.report = {
      ...this.report,
      mspName: name,
      accentColour: `#${digits.toUpperCase()}`,
      logo,
      savedAt: this.timestamp(),
    };
    return this.settings();
  }

  setLanguage(language: ReportLanguage): ReportSettingsView {
    this.report = { ...this.report, language, savedAt: this.timestamp() };
    return this.settings();
  }

  listConnections(): TenantConnections {
    return {
      keychain: this.keychainName,
      tenants: [...this.tenants()]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((tenant) => this.connection(tenant)),
    };
  }

  saveConnection(request: SaveConnectionRequest): TenantConnectionView {
    const tenant = this.tenant(request.tenantId);
    const entra = request.entraTenantId?.trim() ? guid(request.entraTenantId, "entra") : null;
    const app = request.graphAppId?.trim() ? guid(request.graphAppId, "app") : null;
    const other = this.tenants().find(
      (t) => t.id !== tenant.id && this.connection(t).entraTenantId === entra && entra !== null,
    );
    if (other) {
      throw new BackendError(
        "conflict",
        `${other.name} already has the Entra tenant id ${entra}: each customer tenant has its own; check which tenant this id belongs to`,
      );
    }
    const before = this.connection(tenant);
    this.update(tenant.id, { entraTenantId: entra, graphAppId: app });
    // A secret belongs to its app registration: another (or no) app id drops it.
    if (before.secretSetAt && before.graphAppId !== app) return this.removeSecret(tenant.id);
    return this.connection(tenant);
  }

  setSecret(tenantId: string, secret: string): TenantConnectionView {
    const tenant = this.tenant(tenantId);
    const value = secret.trim();
    if (!value) {
      throw invalid(
        "Paste the client secret's value: it is shown once, in the Value column, when the secret is created under Certificates & secrets of the app registration",
      );
    }
    if (GUID.test(value.toLowerCase())) {
      throw invalid(
        "That is a GUID, most likely the secret's ID: paste the secret's Value instead (the other column under Certificates & secrets; it is shown only right after the secret is created)",
      );
    }
    if (!this.connection(tenant).graphAppId) {
      throw invalid(
        `Save the application (client) id of ${tenant.name} first: the secret belongs to that app registration`,
      );
    }
    this.secrets.set(this.account(tenant.id), value);
    this.update(tenant.id, { secretSetAt: this.timestamp() });
    return this.connection(tenant);
  }

  removeSecret(tenantId: string): TenantConnectionView {
    const tenant = this.tenant(tenantId);
    this.secrets.delete(this.account(tenant.id));
    this.update(tenant.id, { secretSetAt: null });
    return this.connection(tenant);
  }

  signingKey(): SigningKeyView {
    let createdNow = false;
    if (!this.key) {
      this.key = this.makeKey();
      createdNow = true;
    }
    return this.keyView(createdNow);
  }

  exportKey(path: string, evidenceDir: string): ExportedKey {
    const view = this.signingKey();
    if (view.missing) throw new BackendError("conflict", view.missing);
    const given = path.trim() || view.suggestedFileName;
    const exported = {
      path: given.startsWith("/") ? given : `${evidenceDir}/${given}`,
      fingerprint: view.fingerprint,
    };
    this.exportedKeys.push(exported);
    return { ...exported };
  }

  rotateKey(): SigningKeyView {
    if (this.key) {
      this.retired.unshift({ ...this.key, retiredAt: this.timestamp() });
    }
    this.key = this.makeKey();
    this.keyMissing = false;
    return this.keyView(false);
  }

  dataDirectory(): DataDirectory {
    const dbPath = this.dbPath();
    const slash = dbPath.lastIndexOf("/");
    const dataDir = slash > 0 ? dbPath.slice(0, slash) : ".";
    return {
      dataDir,
      dbPath,
      databaseKib: 18_432,
      reportsDir: `${dataDir}/reports`,
      evidenceDir: `${dataDir}/evidence`,
    };
  }

  private makeKey(): { fingerprint: string; createdAt: string } {
    this.keysMade += 1;
    return { fingerprint: fingerprint(this.keysMade), createdAt: this.timestamp() };
  }

  private keyView(createdNow: boolean): SigningKeyView {
    const key = this.key ?? this.makeKey();
    return {
      fingerprint: key.fingerprint,
      createdAt: key.createdAt,
      keychain: this.keychainName,
      createdNow,
      missing: this.keyMissing
        ? `the signing key of this workspace (fingerprint ${key.fingerprint}) is not in the ${this.keychainName}. Packs it signed still verify. Restore the keychain entry, or make a new key with \`plumbline key rotate\` (new packs then carry the new fingerprint)`
        : null,
      retired: this.retired.map((k) => ({ ...k })),
      suggestedFileName: `plumbline-signer-${key.fingerprint.slice(0, 16)}.pub`,
    };
  }

  private tenant(id: string): TenantRow {
    const tenant = this.tenants().find((t) => t.id === id || t.name === id);
    if (!tenant) throw new BackendError("not_found", `tenant not found: ${id}`);
    return tenant;
  }

  private connection(tenant: TenantRow): TenantConnectionView {
    const stored = this.connections.get(tenant.id) ?? {};
    return {
      tenantId: tenant.id,
      tenantName: tenant.name,
      entraTenantId: stored.entraTenantId !== undefined ? stored.entraTenantId : tenant.entraTenantId,
      graphAppId: stored.graphAppId ?? null,
      secretSetAt: stored.secretSetAt ?? null,
    };
  }

  private update(tenantId: string, fields: Partial<TenantConnectionView>): void {
    this.connections.set(tenantId, { ...this.connections.get(tenantId), ...fields });
  }

  private account(tenantId: string): string {
    return `workspace-fake-tenant-${tenantId}-graph-client-secret`;
  }

  private timestamp(): string {
    return new Date(this.now()).toISOString();
  }
}
