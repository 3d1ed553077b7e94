// Texts of the Evidence page: the page, "Create a pack", "Packs made here" and "Verify a
// pack". What the backend says (job titles and stages, left-out items, the checks that
// passed or failed, errors) stays as it comes.

import { formatCount, formatNumber } from "../../format";
import { defineMessages } from "../../i18n";

const en = {
  // The page.
  title: "Evidence",
  /** The page description, around the <Command>plumbline pack</Command>. */
  descriptionBefore:
    "Signed packs that prove how a tenant was governed over a period: its captures, reviews, findings, decisions and audit events, each file hashed in a manifest signed with this workspace's key. Anyone can check them, without Plumbline, with the README inside; the same packs come from ",
  descriptionAfter: ".",
  loadingTenants: "Loading tenants…",
  couldNotLoadTenants: "Couldn't load the tenants",
  packsMadeHere: "Packs made here",
  loadingPacks: "Loading packs…",
  couldNotLoadPacks: "Couldn't load the packs",

  // Shared.
  tenant: "Tenant",
  period: "Period",
  file: "File",
  signingKey: "Signing key",
  keyFingerprint: "key fingerprint",
  /** A period between two days: "2026-01-01 to 2026-03-31" (the days as they are). */
  periodRange: (from: string, to: string) => `${from} to ${to}`,
  /** The word between the two days of a period, in a table cell. */
  periodTo: "to",
  files: (n: number) => formatCount(n, "file"),
  auditEvents: (n: number) => formatCount(n, "audit event"),
  verify: "Verify",

  // Packs made here.
  notRecorded: "Not recorded",
  onDisk: "On disk",
  missing: "Missing",
  noPacks: "No evidence packs yet",
  /** The empty state, around the names of the Create pack and Review now buttons. */
  noPacksBeforeCreate: "Choose a tenant and a period above and select ",
  noPacksBeforeReview:
    ". A pack holds the captures, reviews, findings, decisions and audit events of that period, so review the tenant first (",
  reviewNow: "Review now",
  noPacksEnd: " on its page). Every pack made here is listed with its SHA-256.",
  columns: {
    tenant: "Tenant",
    period: "Period",
    created: "Created",
    options: "Options",
    size: "Size",
    file: "File",
    actions: "Actions",
  },
  redacted: "Redacted",
  withReports: "With reports",
  noOptions: "None",
  copyPackSha: (tenant: string, from: string, to: string) =>
    `SHA-256 of the pack of ${tenant}, ${from} to ${to}`,
  verifyPackLabel: (tenant: string, from: string, to: string) =>
    `Verify the pack of ${tenant}, ${from} to ${to}`,

  // Create a pack.
  createTitle: "Create a pack",
  noTenants: "No tenants yet: import a capture with plumbline import first.",
  from: "From",
  fromHint: "First day of the period (UTC).",
  to: "To",
  toHint: "Last day, included in full (UTC).",
  redactHint:
    "Replaces user principal names, e-mail addresses and person names with stable pseudonyms (a keyed hash of each), the same in every file of the pack. The manifest records that the pack is redacted.",
  redact: "Redact personal data",
  includeReportsRedacted:
    "Not with redaction: reports are PDFs that Plumbline cannot redact. Turn off redaction to include them.",
  includeReportsHint: "Adds the PDF reports made for this tenant in the period.",
  includeReports: "Include reports",
  output: "Output file (optional)",
  outputHintIn: (dir: string) =>
    `Leave empty to write it to ${dir}, named after the tenant and period. A name without a folder goes there too.`,
  outputHint:
    "Leave empty to write it to the evidence folder next to the database, named after the tenant and period.",
  outputPlaceholder: "contoso-q1.zip",
  createPack: "Create pack",

  // The pack just made.
  packJustMade: "The pack just made",
  packReady: (title: string) => `Pack ready: ${title}`,
  verifyThisPack: "Verify this pack",
  filePath: "file path",
  contents: "Contents",
  sendHint:
    "Send the file with its SHA-256 and your key's fingerprint: the recipient checks the pack with the README inside it, or here under Verify a pack.",
  leftOut: "Left out of the pack",

  // Verify a pack.
  verifyTitle: "Verify a pack",
  verifyDescription:
    "Checks every file's SHA-256 against the signed manifest, the Ed25519 signature and the audit chain's links, as an auditor would.",
  packFile: "Pack file",
  packFileMissing: "Enter the path of the pack's .zip file.",
  packFileHint: "The .zip file of an evidence pack: one made here or one someone sent you.",
  packFilePlaceholder: "/home/me/Downloads/evidence-contoso-2026-01-01-2026-03-31.zip",
  trustedKey: "Trusted key fingerprint (optional)",
  trustedKeyHint:
    "The fingerprint the sender published for their signing key. With it, a pack signed by any other key fails, however intact.",
  verifying: "Verifying…",
  verificationResult: "Verification result",
  couldNotVerify: "Couldn't verify the pack",
  intact: "The pack is intact and its signature holds",
  everyCheckPassed: "Every check passed:",
  failedVerification: "The pack failed verification",
  checksFailed: (n: number) => (n === 1 ? "This check failed:" : `These ${n} checks failed:`),
  thesePassed: "These passed:",
  unknown: "Unknown",
  fileSha: "File SHA-256",
  fileShaCopy: "file SHA-256",
  noSigningKey: "No readable signing key in the pack",
  signedBy: "Signed by",
  thisWorkspacesKey: "This workspace's key",
  notOurKey:
    "Not one of this workspace's keys: compare the fingerprint with the one the sender published.",
  checked: "Checked",
};

export const messages = defineMessages(en, {
  title: "Nachweise",
  descriptionBefore:
    "Signierte Pakete, die belegen, wie ein Mandant über einen Zeitraum verwaltet wurde: seine Erfassungen, Prüfungen, Befunde, Entscheidungen und Überwachungsereignisse, jede Datei mit ihrem Hash in einem Manifest, das mit dem Schlüssel dieses Arbeitsbereichs signiert ist. Jeder kann sie ohne Plumbline mit der enthaltenen README prüfen; dieselben Pakete erstellt ",
  descriptionAfter: ".",
  loadingTenants: "Mandanten werden geladen…",
  couldNotLoadTenants: "Die Mandanten konnten nicht geladen werden",
  packsMadeHere: "Hier erstellte Pakete",
  loadingPacks: "Pakete werden geladen…",
  couldNotLoadPacks: "Die Pakete konnten nicht geladen werden",

  tenant: "Mandant",
  period: "Zeitraum",
  file: "Datei",
  signingKey: "Signaturschlüssel",
  keyFingerprint: "Fingerabdruck des Schlüssels",
  periodRange: (from, to) => `${from} bis ${to}`,
  periodTo: "bis",
  files: (n) => formatCount(n, "Datei", "Dateien"),
  auditEvents: (n) => formatCount(n, "Überwachungsereignis", "Überwachungsereignisse"),
  verify: "Prüfen",

  notRecorded: "Nicht aufgezeichnet",
  onDisk: "Vorhanden",
  missing: "Fehlt",
  noPacks: "Noch keine Nachweispakete",
  noPacksBeforeCreate: "Wählen Sie oben einen Mandanten und einen Zeitraum aus, und wählen Sie ",
  noPacksBeforeReview:
    ". Ein Paket enthält die Erfassungen, Prüfungen, Befunde, Entscheidungen und Überwachungsereignisse dieses Zeitraums; prüfen Sie den Mandanten daher zuerst (",
  reviewNow: "Jetzt prüfen",
  noPacksEnd: " auf seiner Seite). Jedes hier erstellte Paket wird mit seinem SHA-256 aufgeführt.",
  columns: {
    tenant: "Mandant",
    period: "Zeitraum",
    created: "Erstellt",
    options: "Optionen",
    size: "Größe",
    file: "Datei",
    actions: "Aktionen",
  },
  redacted: "Geschwärzt",
  withReports: "Mit Berichten",
  noOptions: "Keine",
  copyPackSha: (tenant, from, to) => `SHA-256 des Pakets von ${tenant}, ${from} bis ${to}`,
  verifyPackLabel: (tenant, from, to) => `Paket von ${tenant}, ${from} bis ${to} prüfen`,

  createTitle: "Nachweispaket erstellen",
  noTenants:
    "Noch keine Mandanten: Importieren Sie zuerst eine Erfassung mit plumbline import.",
  from: "Von",
  fromHint: "Erster Tag des Zeitraums (UTC).",
  to: "Bis",
  toHint: "Letzter Tag, vollständig eingeschlossen (UTC).",
  redactHint:
    "Ersetzt Benutzerprinzipalnamen, E-Mail-Adressen und Personennamen durch stabile Pseudonyme (jeweils ein schlüsselbasierter Hash), in jeder Datei des Pakets dieselben. Das Manifest vermerkt, dass das Paket geschwärzt ist.",
  redact: "Personenbezogene Daten schwärzen",
  includeReportsRedacted:
    "Nicht mit Schwärzung möglich: Berichte sind PDFs, die Plumbline nicht schwärzen kann. Deaktivieren Sie die Schwärzung, um sie aufzunehmen.",
  includeReportsHint:
    "Fügt die PDF-Berichte hinzu, die im Zeitraum für diesen Mandanten erstellt wurden.",
  includeReports: "Berichte aufnehmen",
  output: "Ausgabedatei (optional)",
  outputHintIn: (dir) =>
    `Lassen Sie das Feld leer, um das Paket in ${dir} zu speichern, benannt nach Mandant und Zeitraum. Ein Name ohne Ordner wird ebenfalls dort gespeichert.`,
  outputHint:
    "Lassen Sie das Feld leer, um das Paket im Ordner „evidence“ neben der Datenbank zu speichern, benannt nach Mandant und Zeitraum.",
  outputPlaceholder: "contoso-q1.zip",
  createPack: "Paket erstellen",

  packJustMade: "Das soeben erstellte Paket",
  packReady: (title) => `Paket bereit: ${title}`,
  verifyThisPack: "Dieses Paket prüfen",
  filePath: "Dateipfad",
  contents: "Inhalt",
  sendHint:
    "Senden Sie die Datei mit ihrem SHA-256 und dem Fingerabdruck Ihres Schlüssels: Die empfangende Person prüft das Paket mit der enthaltenen README oder hier unter „Paket prüfen“.",
  leftOut: "Nicht im Paket enthalten",

  verifyTitle: "Paket prüfen",
  verifyDescription:
    "Prüft den SHA-256 jeder Datei gegen das signierte Manifest, die Ed25519-Signatur und die Verknüpfungen der Überwachungskette, wie es eine Prüferin oder ein Prüfer tun würde.",
  packFile: "Paketdatei",
  packFileMissing: "Geben Sie den Pfad der ZIP-Datei des Pakets ein.",
  packFileHint:
    "Die ZIP-Datei eines Nachweispakets: eines, das hier erstellt wurde, oder eines, das Ihnen jemand gesendet hat.",
  packFilePlaceholder: "/home/me/Downloads/evidence-contoso-2026-01-01-2026-03-31.zip",
  trustedKey: "Fingerabdruck des vertrauenswürdigen Schlüssels (optional)",
  trustedKeyHint:
    "Der Fingerabdruck, den der Absender für seinen Signaturschlüssel veröffentlicht hat. Damit schlägt die Prüfung eines Pakets, das mit einem anderen Schlüssel signiert ist, fehl, so unversehrt es auch ist.",
  verifying: "Wird geprüft…",
  verificationResult: "Prüfergebnis",
  couldNotVerify: "Das Paket konnte nicht geprüft werden",
  intact: "Das Paket ist unversehrt und seine Signatur ist gültig",
  everyCheckPassed: "Alle Prüfungen bestanden:",
  failedVerification: "Das Paket hat die Prüfung nicht bestanden",
  checksFailed: (n) =>
    n === 1
      ? "Diese Prüfung ist fehlgeschlagen:"
      : `Diese ${formatNumber(n)} Prüfungen sind fehlgeschlagen:`,
  thesePassed: "Diese Prüfungen wurden bestanden:",
  unknown: "Unbekannt",
  fileSha: "SHA-256 der Datei",
  fileShaCopy: "SHA-256 der Datei",
  noSigningKey: "Kein lesbarer Signaturschlüssel im Paket",
  signedBy: "Signiert von",
  thisWorkspacesKey: "Schlüssel dieses Arbeitsbereichs",
  notOurKey:
    "Keiner der Schlüssel dieses Arbeitsbereichs: Vergleichen Sie den Fingerabdruck mit dem, den der Absender veröffentlicht hat.",
  checked: "Geprüft",
});
