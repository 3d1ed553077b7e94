// The Tenants page's texts: tenant management over Microsoft Graph. Tenant names, error
// messages and connection-test answers come from the backend and stay as they come.

import { createElement, Fragment, type ReactNode } from "react";
import { formatCount } from "../../format";
import { defineMessages } from "../../i18n";

const rich = (...parts: ReactNode[]): ReactNode => createElement(Fragment, null, ...parts);

const en = {
  title: "Tenants",
  description: (command: ReactNode) =>
    rich(
      "Your customers' tenants and how Plumbline reads them from Microsoft Graph: connect a tenant once, and it is captured on its schedule. The same is in ",
      command,
      ".",
    ),
  loading: "Loading tenants…",
  couldNotLoad: "Couldn't load the tenants",
  couldNotChange: "Couldn't change the tenant",

  noApp: "Set up the Graph app to capture tenants",
  noAppBody:
    "Plumbline reads tenants through your multi-tenant app registration, consented in each customer tenant. Its client secret goes to this computer's keychain, never to the database.",
  setUpApp: "Set up Graph app",
  graphApp: "Graph app",
  addTenant: "Add tenant",
  captureSelected: (n: number) => (n === 0 ? "Capture now" : `Capture ${formatCount(n, "tenant")}`),
  selected: (n: number) => (n === 0 ? "None selected" : `${formatCount(n, "tenant")} selected`),

  tableLabel: "Tenants",
  selectAll: "Select all tenants",
  selectOne: (name: string) => `Select ${name}`,
  columns: {
    name: "Tenant",
    connection: "Microsoft Graph",
    schedule: "Schedule",
    lastCapture: "Last capture",
    next: "Next capture",
    actions: "Actions",
  },
  notConnected: "Not connected",
  connected: "Connected",
  tenantId: (id: string) => `Entra tenant id ${id}`,
  demo: "Demo",
  manual: "Manual",
  every: (minutes: number) =>
    minutes % 1440 === 0
      ? minutes === 1440
        ? "Daily"
        : `Every ${minutes / 1440} days`
      : minutes % 60 === 0
        ? `Every ${formatCount(minutes / 60, "hour")}`
        : `Every ${minutes} minutes`,
  parked: "Parked",
  parkedWhy: (failures: number, error: string) =>
    `${formatCount(failures, "capture")} in a row failed. Last: ${error}`,
  never: "Never",
  dueNow: "Due now",
  notScheduled: "—",
  status: { ok: "OK", partial: "Partial", failed: "Failed" } as Record<string, string>,

  test: "Test connection",
  testOne: (name: string) => `Test the connection of ${name}`,
  captureOne: (name: string) => `Capture ${name} now`,
  scheduleOne: (name: string) => `Schedule of ${name}`,
  historyOne: (name: string) => `Capture history of ${name}`,
  tagsOne: (name: string) => `Tags of ${name}`,
  tagsTitle: (name: string) => `Tags of ${name}`,
  tagsLabel: "Tags",
  tagsHint: "Separated by commas, up to 20 of 40 characters each. Tags group tenants in filters and alert rules, and reach the whole team.",
  tagsSaved: (name: string) => `Tags of ${name} saved.`,
  resume: "Resume",
  resumeOne: (name: string) => `Resume scheduled captures of ${name}`,
  cadences: {
    hour: "Every hour",
    sixHours: "Every 6 hours",
    twelveHours: "Every 12 hours",
    day: "Daily",
    week: "Weekly",
    manual: "Only when asked",
  },

  // Dialogs
  cancel: "Cancel",
  close: "Close",
  save: "Save",
  saving: "Saving…",
  appTitle: "Microsoft Graph app",
  appIntro:
    "The app registration your MSP uses to read customer tenants (one multi-tenant app, consented by an admin of each customer). Read-only application permissions are enough.",
  clientId: "Application (client) id",
  cloud: "Cloud",
  clouds: {
    global: "Global (also GCC)",
    "usgov-high": "US Government GCC High",
    "usgov-dod": "US Government DoD",
    china: "China (21Vianet)",
    custom: "A test Graph (URL)",
  } as Record<string, string>,
  testGraphUrl: "Test Graph URL",
  certificateInUse: (thumbprint: string) =>
    `This app signs in with a certificate (x5t#S256 ${thumbprint}). Saving a secret instead signs in with the secret and removes the certificate's key from the keychain.`,
  secret: "Client secret",
  signInWith: "Sign in with",
  certificate: "Certificate",
  certificatePem: "Certificate (PEM)",
  certificatePemHint: (thumbprint: string | null) =>
    thumbprint === null
      ? "The certificate uploaded to the app registration (Certificates & secrets), as PEM text."
      : `In use: x5t#S256 ${thumbprint}. Paste a new certificate and key to replace it; leave both empty to keep it.`,
  privateKeyPem: "Private key (PEM)",
  privateKeyPemHint:
    "The certificate's private key, unencrypted PEM. It is kept in this computer's keychain only and never shown again.",
  fromFile: "Read from a file…",
  fileUnreadable: (name: string) => `${name} could not be read: pick a PEM text file.`,
  secretHint: (set: string | null) =>
    set === null
      ? "Paste the secret's Value (shown once under Certificates & secrets). It is kept in this computer's keychain."
      : `A secret is stored (since ${set}). Leave empty to keep it.`,
  addTitle: "Add a tenant",
  addIntro:
    "Name the customer as your team calls it, and give its domain (contoso.onmicrosoft.com) or its Entra tenant id: the tenant id of a domain is looked up for you.",
  tenantName: "Name",
  domainOrId: "Domain or tenant id",
  adding: "Adding…",
  add: "Add",
  added: (name: string) => `${name} was added. Test its connection, then capture it.`,
  testTitle: (name: string) => `Connection of ${name}`,
  testing: "Signing in and reading one page of every kind…",
  adminConsent: "Open the admin consent page for this tenant",
  permissions: "Permissions granted",
  readable: "Can be read",
  notReadable: "Cannot be read",
  historyTitle: (name: string) => `Capture history of ${name}`,
  noRuns: "No capture from Graph yet.",
  runLine: (items: number, requests: number, seconds: string) =>
    `${formatCount(items, "item")}, ${formatCount(requests, "request")}, ${seconds} s`,
  notRead: (label: string, error: string) => `${label} not read: ${error}`,
};

export const messages = defineMessages(en, {
  title: "Mandanten",
  description: (command) =>
    rich(
      "Die Mandanten Ihrer Kunden und wie Plumbline sie aus Microsoft Graph liest: einmal verbinden, dann wird der Mandant nach seinem Zeitplan erfasst. Dasselbe steht über ",
      command,
      " zur Verfügung.",
    ),
  loading: "Mandanten werden geladen…",
  couldNotLoad: "Die Mandanten konnten nicht geladen werden",
  couldNotChange: "Der Mandant konnte nicht geändert werden",

  noApp: "Richten Sie die Graph-App ein, um Mandanten zu erfassen",
  noAppBody:
    "Plumbline liest Mandanten über Ihre mehrinstanzenfähige App-Registrierung, der in jedem Kundenmandanten zugestimmt wurde. Ihr geheimer Clientschlüssel kommt in den Schlüsselbund dieses Computers, nie in die Datenbank.",
  setUpApp: "Graph-App einrichten",
  graphApp: "Graph-App",
  addTenant: "Mandant hinzufügen",
  captureSelected: (n) =>
    n === 0 ? "Jetzt erfassen" : `${formatCount(n, "Mandant", "Mandanten")} erfassen`,
  selected: (n) => (n === 0 ? "Keine ausgewählt" : `${formatCount(n, "Mandant", "Mandanten")} ausgewählt`),

  tableLabel: "Mandanten",
  selectAll: "Alle Mandanten auswählen",
  selectOne: (name) => `${name} auswählen`,
  columns: {
    name: "Mandant",
    connection: "Microsoft Graph",
    schedule: "Zeitplan",
    lastCapture: "Letzte Erfassung",
    next: "Nächste Erfassung",
    actions: "Aktionen",
  },
  notConnected: "Nicht verbunden",
  connected: "Verbunden",
  tenantId: (id) => `Entra-Mandanten-ID ${id}`,
  demo: "Demo",
  manual: "Manuell",
  every: (minutes) =>
    minutes % 1440 === 0
      ? minutes === 1440
        ? "Täglich"
        : `Alle ${minutes / 1440} Tage`
      : minutes % 60 === 0
        ? minutes === 60
          ? "Stündlich"
          : `Alle ${minutes / 60} Stunden`
        : `Alle ${minutes} Minuten`,
  parked: "Angehalten",
  parkedWhy: (failures, error) =>
    `${formatCount(failures, "Erfassung", "Erfassungen")} in Folge fehlgeschlagen. Zuletzt: ${error}`,
  never: "Nie",
  dueNow: "Jetzt fällig",
  notScheduled: "—",
  status: { ok: "OK", partial: "Teilweise", failed: "Fehlgeschlagen" },

  test: "Verbindung testen",
  testOne: (name) => `Verbindung von ${name} testen`,
  captureOne: (name) => `${name} jetzt erfassen`,
  scheduleOne: (name) => `Zeitplan von ${name}`,
  historyOne: (name) => `Erfassungsverlauf von ${name}`,
  tagsOne: (name) => `Tags von ${name}`,
  tagsTitle: (name) => `Tags von ${name}`,
  tagsLabel: "Tags",
  tagsHint: "Durch Kommas getrennt, bis zu 20 mit je höchstens 40 Zeichen. Tags gruppieren Mandanten in Filtern und Alarmregeln und erreichen das ganze Team.",
  tagsSaved: (name) => `Tags von ${name} gespeichert.`,
  resume: "Fortsetzen",
  resumeOne: (name) => `Geplante Erfassungen von ${name} fortsetzen`,
  cadences: {
    hour: "Stündlich",
    sixHours: "Alle 6 Stunden",
    twelveHours: "Alle 12 Stunden",
    day: "Täglich",
    week: "Wöchentlich",
    manual: "Nur auf Anforderung",
  },

  cancel: "Abbrechen",
  close: "Schließen",
  save: "Speichern",
  saving: "Wird gespeichert…",
  appTitle: "Microsoft-Graph-App",
  appIntro:
    "Die App-Registrierung, mit der Ihr Unternehmen Kundenmandanten liest (eine mehrinstanzenfähige App, der ein Administrator jedes Kunden zugestimmt hat). Lesende Anwendungsberechtigungen genügen.",
  clientId: "Anwendungs-ID (Client-ID)",
  cloud: "Cloud",
  clouds: {
    global: "Global (auch GCC)",
    "usgov-high": "US Government GCC High",
    "usgov-dod": "US Government DoD",
    china: "China (21Vianet)",
    custom: "Ein Test-Graph (URL)",
  },
  testGraphUrl: "URL des Test-Graph",
  certificateInUse: (thumbprint) =>
    `Diese App meldet sich mit einem Zertifikat an (x5t#S256 ${thumbprint}). Wenn Sie stattdessen ein Geheimnis speichern, meldet sie sich damit an, und der Schlüssel des Zertifikats wird aus dem Schlüsselbund entfernt.`,
  secret: "Geheimer Clientschlüssel",
  signInWith: "Anmelden mit",
  certificate: "Zertifikat",
  certificatePem: "Zertifikat (PEM)",
  certificatePemHint: (thumbprint) =>
    thumbprint === null
      ? "Das in der App-Registrierung hochgeladene Zertifikat (Zertifikate & Geheimnisse) als PEM-Text."
      : `In Verwendung: x5t#S256 ${thumbprint}. Fügen Sie ein neues Zertifikat mit Schlüssel ein, um es zu ersetzen; lassen Sie beide leer, um es zu behalten.`,
  privateKeyPem: "Privater Schlüssel (PEM)",
  privateKeyPemHint:
    "Der private Schlüssel des Zertifikats als unverschlüsseltes PEM. Er wird nur im Schlüsselbund dieses Computers aufbewahrt und nie wieder angezeigt.",
  fromFile: "Aus einer Datei lesen…",
  fileUnreadable: (name) => `${name} konnte nicht gelesen werden: Wählen Sie eine PEM-Textdatei.`,
  secretHint: (set) =>
    set === null
      ? "Fügen Sie den Wert des Geheimnisses ein (einmalig unter „Zertifikate & Geheimnisse“ angezeigt). Er wird im Schlüsselbund dieses Computers aufbewahrt."
      : `Ein Geheimnis ist gespeichert (seit ${set}). Leer lassen, um es zu behalten.`,
  addTitle: "Mandant hinzufügen",
  addIntro:
    "Benennen Sie den Kunden so, wie Ihr Team ihn nennt, und geben Sie seine Domäne (contoso.onmicrosoft.com) oder seine Entra-Mandanten-ID an: Die Mandanten-ID einer Domäne wird nachgeschlagen.",
  tenantName: "Name",
  domainOrId: "Domäne oder Mandanten-ID",
  adding: "Wird hinzugefügt…",
  add: "Hinzufügen",
  added: (name) => `${name} wurde hinzugefügt. Testen Sie die Verbindung und erfassen Sie den Mandanten.`,
  testTitle: (name) => `Verbindung von ${name}`,
  testing: "Anmeldung und Lesen einer Seite jeder Art…",
  adminConsent: "Die Seite zur Administratorzustimmung für diesen Mandanten öffnen",
  permissions: "Erteilte Berechtigungen",
  readable: "Lesbar",
  notReadable: "Nicht lesbar",
  historyTitle: (name) => `Erfassungsverlauf von ${name}`,
  noRuns: "Noch keine Erfassung aus Graph.",
  runLine: (items, requests, seconds) =>
    `${formatCount(items, "Element", "Elemente")}, ${formatCount(requests, "Anfrage", "Anfragen")}, ${seconds} s`,
  notRead: (label, error) => `${label} nicht gelesen: ${error}`,
});
