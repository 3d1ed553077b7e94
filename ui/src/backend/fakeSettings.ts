// The Settings part of the fake backend: report branding and language, tenant
// connections with an in-memory "keychain", the signing key, the data directory and the
// Plumbline server this computer signs in to. It refuses what the Rust side refuses (bad
// colours, logos that are not PNGs, ids that are not GUIDs, a secret before its app id, a
// wrong password) with messages of the same kind.

import {
  BackendError,
  type DataDirectory,
  type ExportedKey,
  type ReportLanguage,
  type ReportSettingsView,
  type RetiredKey,
  type SaveBrandingRequest,
  type SaveConnectionRequest,
  type ServerConnectionView,
  type SyncView,
  type RejectedView,
  type ServerSignInRequest,
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
  /** The server connection to start from (default: never signed in). */
  server?: Partial<ServerConnectionView>;
  now?: () => number;
}

/** The password the fake server refuses, as a real one refuses a wrong one. */
export const FAKE_WRONG_PASSWORD = "wrong password";


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
  private server: ServerConnectionView;
  /** What the next checks find: null, the server answers; else this problem. */
  private serverProblem: { status: "failed" | "signedOut"; problem: string } | null = null;
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
    this.server = {
      url: null,
      status: "none",
      user: null,
      deviceName: null,
      workspaces: [],
      serverVersion: null,
      checkedAt: null,
      problem: null,
      ...structuredClone(data.server),
      keychain: this.keychainName,
    };
    if (this.server.status === "connected" || this.server.status === "failed") {
      this.secrets.set(this.serverAccount(), "fake-device-token");
    }
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

  /** The device token the fake keychain holds, if any (tests check it went and left). */
  serverToken(): string | undefined {
    return this.secrets.get(this.serverAccount());
  }

  /** Makes the next connection checks fail (`null`: the server answers again). */
  serverDown(problem: string | null): void {
    this.serverProblem = problem === null ? null : { status: "failed", problem };
  }

  /** Revokes this device's token on the server: the next check signs the device out. */
  revokeDevice(problem: string): void {
    this.serverProblem = { status: "signedOut", problem };
  }

  serverConnection(): ServerConnectionView {
    return structuredClone(this.server);
  }

  /** Changes the fake server refused (tests set them). */
  rejected: RejectedView[] = [];
  /** The sync state tests set; otherwise derived from the connection. */
  sync: Partial<SyncView> = {};
  private lastSync: string | null = null;

  syncStatus(): SyncView {
    const signedIn = this.server.status === "connected" || this.server.status === "failed";
    return {
      phase: signedIn ? (this.server.status === "failed" ? "offline" : "idle") : "off",
      server: signedIn ? this.server.url : null,
      lastSyncAt: this.lastSync,
      pending: 0,
      rejected: this.rejected.length,
      error: this.server.status === "failed" ? this.server.problem : null,
      retryInSeconds: null,
      firstSync: false,
      progress: null,
      lastReceived: 0,
      superseded: 0,
      ...this.sync,
    };
  }

  syncNow(): SyncView {
    if (this.server.status === "connected") this.lastSync = new Date().toISOString();
    return this.syncStatus();
  }

  rejectedChanges(): RejectedView[] {
    return structuredClone(this.rejected);
  }

  signInToServer(request: ServerSignInRequest): ServerConnectionView {
    const url = request.url.trim().replace(/\/+$/, "");
    if (!/^https?:\/\/[^/\s]+(\/\S*)?$/.test(url)) {
      throw invalid(
        `"${request.url.trim()}" is not a server address: enter it with http:// or https://, for example https://plumbline.example.com`,
      );
    }
    const email = request.email.trim();
    if (!email) throw invalid("Enter the e-mail address of your account on the server");
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) {
      throw invalid(
        `"${email}" is not an e-mail address: enter the one your account on the server has, like alice@example.com`,
      );
    }
    if (!request.password) throw invalid("Enter the password of your account on the server");
    const deviceName = request.deviceName.trim();
    if (!deviceName) {
      throw invalid(
        'Name this computer (for example "Alice\'s laptop"): the server lists your devices by name, so that you can revoke one',
      );
    }
    if (request.password === FAKE_WRONG_PASSWORD) {
      // The desktop backend answers wrong credentials as invalid input.
      throw new BackendError(
        "invalid_input",
        "The server did not accept that e-mail address and password: check both and sign in again",
      );
    }
    const local = email.split("@")[0] ?? email;
    this.secrets.set(this.serverAccount(), `fake-device-token-${this.now()}`);
    this.server = {
      url,
      status: "connected",
      user: { email, name: local.charAt(0).toUpperCase() + local.slice(1) },
      deviceName,
      workspaces: [{ id: "workspace-contoso-msp", name: "Contoso MSP", role: "operator" }],
      serverVersion: "0.1.0",
      checkedAt: this.timestamp(),
      problem: null,
      keychain: this.keychainName,
    };
    this.serverProblem = null;
    return this.serverConnection();
  }

  /** As the real one: without a token there is nothing to ask, so the view comes back. */
  checkServer(): ServerConnectionView {
    if (this.server.status === "connected" || this.server.status === "failed") {
      const found = this.serverProblem;
      if (found?.status === "signedOut") {
        // A token the server rejects is deleted at once.
        this.markSignedOut(found.problem);
        this.serverProblem = null;
      } else {
        this.server = {
          ...this.server,
          status: found ? "failed" : "connected",
          checkedAt: this.timestamp(),
          problem: found?.problem ?? null,
        };
      }
    }
    return this.serverConnection();
  }

  /**
   * Deletes the token here always; who signed in and the device's name stay on view. A
   * server that is down (`serverDown`) cannot be told, and the problem says so.
   */
  signOutOfServer(): ServerConnectionView {
    if (this.server.status === "connected" || this.server.status === "failed") {
      const down = this.serverProblem?.status === "failed" ? this.serverProblem.problem : null;
      this.markSignedOut(
        down === null
          ? null
          : `Signed out on this computer, but the server could not be told: ${down}. This device stays in your list of devices on the server until you revoke it there`,
      );
    }
    this.serverProblem = null;
    return this.serverConnection();
  }

  private markSignedOut(problem: string | null): void {
    this.secrets.delete(this.serverAccount());
    this.server = {
      ...this.server,
      status: "signedOut",
      workspaces: [],
      checkedAt: this.timestamp(),
      problem,
    };
  }

  private serverAccount(): string {
    return "workspace-fake-server-device-token";
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
