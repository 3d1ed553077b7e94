// The texts of the Settings sections: report branding, tenant connections, data and the
// evidence signing key. Texts with a date, a command or a highlighted word inside take
// the rendered part as a ReactNode and give back a fragment, so each language puts it
// where its word order wants it. Names from the backend (the keychain's, tenants')
// stay as they come.

import { createElement, Fragment, type ReactNode } from "react";
import { formatCount, formatNumber } from "../../format";
import { defineMessages } from "../../i18n";

/** Running text with rendered parts inside (a date, a command, a file name). */
function rich(...parts: ReactNode[]): ReactNode {
  return createElement(Fragment, null, ...parts);
}

const en = {
  loading: "Loading…",
  saving: "Saving…",
  cancel: "Cancel",

  branding: {
    title: "Report branding",
    description:
      "Your name, colour and logo on executive and portfolio reports. The Reports page starts from these, and so does plumbline report without branding flags.",
    couldNotLoad: "Couldn't load the branding",
    mspName: "MSP name",
    mspNameHint: "On every report's cover and page header.",
    accentColour: "Accent colour",
    accentColourHint: "#RRGGBB, for example #1F4E79.",
    accentColourInvalid: "Six hexadecimal digits after the #.",
    logoAlt: (width: number, height: number) => `Saved logo, ${width} × ${height} pixels`,
    logoDetails: (width: number, height: number, size: string, source: ReactNode) =>
      rich(
        `${width} × ${height} px, ${size}, read from `,
        source,
        ". Kept in the database: reports keep it if that file moves.",
      ),
    removeLogo: "Remove logo",
    logoRemovedOnSave: "The logo is removed when you save.",
    noLogo: "No logo: reports show the MSP name only.",
    keepLogo: "Keep the logo",
    replaceLogo: "Replace the logo with (optional)",
    logo: "Logo (optional)",
    logoHint: "A PNG image. It is checked and copied into the database when you save.",
    preview: "Preview of a cover:",
    previewName: "Your MSP name",
    couldNotSave: "Couldn't save the branding",
    saved: (command: ReactNode) =>
      rich("Branding saved. New reports use it, from this app and from ", command, "."),
    save: "Save branding",
    lastSaved: (when: ReactNode) => rich("Last saved ", when, "."),
  },

  connections: {
    title: "Tenant connections",
    description:
      "The Microsoft Graph app registration Plumbline will read each tenant with. Client secrets are kept in the system's keychain, never in the database, and are never shown again.",
    notYet: (command: ReactNode) =>
      rich(
        "Capturing over Microsoft Graph arrives with the Graph connector, which is not in this version: nothing connects to Microsoft yet, so there is no connection test. Until then, import exports with ",
        command,
        ".",
      ),
    couldNotLoad: "Couldn't load the tenant connections",
    empty: (command: ReactNode) =>
      rich("No tenants yet. Import one with ", command, ", then enter its ids here."),
    summary: (withSecret: number, tenants: number) =>
      `${withSecret} of ${formatCount(tenants, "tenant")} have a client secret stored.`,
    tenant: "Tenant",
    secretStoredOption: " (secret stored)",
    idsOf: (tenant: string) => `Ids of ${tenant}`,
    entraTenantId: "Entra tenant id",
    entraTenantIdHint:
      "Tenant ID on the Overview page of the customer's Microsoft Entra admin centre.",
    appId: "Application (client) id",
    appIdChangeWarning:
      "Saving another application id removes the stored client secret: it belongs to the old app registration.",
    appIdHint: "On the Overview page of the app registration Plumbline reads Graph with.",
    saveIds: "Save ids",
    clientSecret: "Client secret",
    secretStored: (when: ReactNode, keychain: string) =>
      rich("Secret stored on ", when, ` in the ${keychain}. It is never shown again.`),
    replace: "Replace",
    remove: "Remove",
    noSecret: (keychain: string) =>
      `No client secret stored. It goes to the ${keychain}, never to the database.`,
    secretOf: (tenant: string) => `Client secret of ${tenant}`,
    newClientSecret: "New client secret",
    secretHint: "The secret's Value from Certificates & secrets (not its ID).",
    saveAppIdFirst: "Save the application (client) id first: the secret belongs to that app.",
    storeInKeychain: "Store in keychain",
    couldNotSaveIds: "Couldn't save the ids",
    couldNotStoreSecret: "Couldn't store the client secret",
    couldNotRemoveSecret: "Couldn't remove the client secret",
    idsSaved: (tenant: string) => `Ids saved for ${tenant}.`,
    secretStoredDone: (keychain: string) => `Client secret stored in the ${keychain}.`,
    secretRemovedDone: (keychain: string) => `Client secret removed from the ${keychain}.`,
    removeTitle: (tenant: string) => `Remove the client secret of ${tenant}?`,
    removeBody: (keychain: string) =>
      `It is deleted from the ${keychain}. To store it again you need its value from the Microsoft Entra admin centre, which shows it only when a secret is created.`,
    removeSecret: "Remove secret",
  },

  data: {
    title: "Data",
    couldNotFind: "Couldn't find the data directory",
    database: "Database",
    size: "Size on disk",
    dataFolder: "Data folder",
    reports: "Reports",
    evidencePacks: "Evidence packs",
    openDataFolder: "Open data folder",
    couldNotOpen: "Couldn't open the data folder",
    sameDatabase: (variable: ReactNode) =>
      rich(
        "The command line uses the same database. To keep it in another folder, start Plumbline with ",
        variable,
        " set to that folder.",
      ),
    version: (version: string) => `Version ${version}.`,
  },

  signingKey: {
    title: "Evidence signing key",
    description:
      "Evidence packs are signed with this workspace's Ed25519 key. Share its fingerprint or public key with customers and auditors so they can check a pack came from you.",
    couldNotLoad: "Couldn't load the signing key",
    createdTitle: "Key created",
    createdBody: (keychain: string) =>
      `This workspace had no signing key, so opening Settings made one (creating the first evidence pack would have too). Its private half is in the ${keychain}.`,
    missingTitle: "The private key is missing",
    missingAction: (button: ReactNode) => rich("Here, ", button, " below makes the new key."),
    fingerprint: "Fingerprint",
    created: "Created",
    privateKey: "Private key",
    privateKeyWhere: (missing: boolean, keychain: string) =>
      `${missing ? "missing from" : "in"} the ${keychain}`,
    retiredKeys: "Retired signing keys",
    retiredKey: "Retired key",
    retired: "Retired",
    exportForm: "Export the public key",
    exportTo: "Export public key to",
    exportHint:
      "A file name is written to the evidence folder next to the database; or enter a full path. PEM, as plumbline key export writes it.",
    exportKey: "Export public key",
    rotateKeyEllipsis: "Rotate key…",
    working: "Working…",
    couldNotExport: "Couldn't export the public key",
    couldNotRotate: "Couldn't rotate the key",
    exported: (fingerprint: string, path: string) =>
      `Wrote the public key (fingerprint ${fingerprint}) to ${path}.`,
    rotated: (fingerprint: string, old: string) =>
      `New signing key ${fingerprint}. The old key ${old} is retired; its packs still verify.`,
    rotateTitle: "Make a new signing key?",
    rotateBody: (fingerprint: ReactNode) =>
      rich(
        "New evidence packs are signed with the new key, and the current key (fingerprint ",
        fingerprint,
        ") is retired.",
      ),
    rotateStillVerify:
      "Packs signed with the current key still verify: each pack carries its own public key. Customers and auditors who compare fingerprints need the new one, so export it and send it to them.",
    rotateKey: "Rotate key",
  },
};

export type SettingsMessages = typeof en;

export const messages = defineMessages(en, {
  loading: "Wird geladen…",
  saving: "Wird gespeichert…",
  cancel: "Abbrechen",

  branding: {
    title: "Berichtsbranding",
    description:
      "Ihr Name, Ihre Farbe und Ihr Logo auf Management- und Portfolioberichten. Die Seite „Berichte“ übernimmt diese Angaben, ebenso plumbline report ohne Branding-Optionen.",
    couldNotLoad: "Das Branding konnte nicht geladen werden",
    mspName: "MSP-Name",
    mspNameHint: "Auf dem Deckblatt und in der Kopfzeile jedes Berichts.",
    accentColour: "Akzentfarbe",
    accentColourHint: "#RRGGBB, zum Beispiel #1F4E79.",
    accentColourInvalid: "Sechs Hexadezimalziffern nach dem #.",
    logoAlt: (width, height) => `Gespeichertes Logo, ${width} × ${height} Pixel`,
    logoDetails: (width, height, size, source) =>
      rich(
        `${width} × ${height} px, ${size}, gelesen aus `,
        source,
        ". In der Datenbank gespeichert: Berichte behalten das Logo, auch wenn die Datei verschoben wird.",
      ),
    removeLogo: "Logo entfernen",
    logoRemovedOnSave: "Das Logo wird beim Speichern entfernt.",
    noLogo: "Kein Logo: Berichte zeigen nur den MSP-Namen.",
    keepLogo: "Logo behalten",
    replaceLogo: "Logo ersetzen durch (optional)",
    logo: "Logo (optional)",
    logoHint:
      "Ein PNG-Bild. Es wird beim Speichern geprüft und in die Datenbank kopiert.",
    preview: "Vorschau eines Deckblatts:",
    previewName: "Ihr MSP-Name",
    couldNotSave: "Das Branding konnte nicht gespeichert werden",
    saved: (command) =>
      rich(
        "Branding gespeichert. Neue Berichte verwenden es, aus dieser App und mit ",
        command,
        ".",
      ),
    save: "Branding speichern",
    lastSaved: (when) => rich("Zuletzt gespeichert: ", when, "."),
  },

  connections: {
    title: "Mandantenverbindungen",
    description:
      "Die Microsoft Graph-App-Registrierung, mit der Plumbline jeden Mandanten lesen wird. Geheime Clientschlüssel werden im Schlüsselspeicher des Systems aufbewahrt, nie in der Datenbank, und nie wieder angezeigt.",
    notYet: (command) =>
      rich(
        "Die Erfassung über Microsoft Graph kommt mit dem Graph-Connector, der in dieser Version noch nicht enthalten ist: Noch verbindet sich nichts mit Microsoft, daher gibt es keinen Verbindungstest. Importieren Sie bis dahin Exporte mit ",
        command,
        ".",
      ),
    couldNotLoad: "Die Mandantenverbindungen konnten nicht geladen werden",
    empty: (command) =>
      rich(
        "Noch keine Mandanten. Importieren Sie einen mit ",
        command,
        ", und geben Sie dann hier seine IDs ein.",
      ),
    summary: (withSecret, tenants) =>
      `Für ${formatNumber(withSecret)} von ${formatCount(tenants, "Mandant", "Mandanten")} ist ein geheimer Clientschlüssel gespeichert.`,
    tenant: "Mandant",
    secretStoredOption: " (Clientschlüssel gespeichert)",
    idsOf: (tenant) => `IDs von ${tenant}`,
    entraTenantId: "Entra-Mandanten-ID",
    entraTenantIdHint:
      "„Mandanten-ID“ auf der Seite „Übersicht“ im Microsoft Entra Admin Center des Kunden.",
    appId: "Anwendungs-ID (Client)",
    appIdChangeWarning:
      "Wenn Sie eine andere Anwendungs-ID speichern, wird der gespeicherte geheime Clientschlüssel entfernt: Er gehört zur alten App-Registrierung.",
    appIdHint:
      "Auf der Seite „Übersicht“ der App-Registrierung, mit der Plumbline Graph liest.",
    saveIds: "IDs speichern",
    clientSecret: "Geheimer Clientschlüssel",
    secretStored: (when, keychain) =>
      rich(
        "Geheimer Clientschlüssel am ",
        when,
        ` im Schlüsselspeicher „${keychain}“ gespeichert. Er wird nie wieder angezeigt.`,
      ),
    replace: "Ersetzen",
    remove: "Entfernen",
    noSecret: (keychain) =>
      `Kein geheimer Clientschlüssel gespeichert. Er kommt in den Schlüsselspeicher „${keychain}“, nie in die Datenbank.`,
    secretOf: (tenant) => `Geheimer Clientschlüssel von ${tenant}`,
    newClientSecret: "Neuer geheimer Clientschlüssel",
    secretHint: "Der „Wert“ aus „Zertifikate & Geheimnisse“ (nicht die „Geheime ID“).",
    saveAppIdFirst:
      "Speichern Sie zuerst die Anwendungs-ID (Client): Der geheime Clientschlüssel gehört zu dieser App.",
    storeInKeychain: "Im Schlüsselspeicher speichern",
    couldNotSaveIds: "Die IDs konnten nicht gespeichert werden",
    couldNotStoreSecret: "Der geheime Clientschlüssel konnte nicht gespeichert werden",
    couldNotRemoveSecret: "Der geheime Clientschlüssel konnte nicht entfernt werden",
    idsSaved: (tenant) => `IDs für ${tenant} gespeichert.`,
    secretStoredDone: (keychain) =>
      `Geheimer Clientschlüssel im Schlüsselspeicher „${keychain}“ gespeichert.`,
    secretRemovedDone: (keychain) =>
      `Geheimer Clientschlüssel aus dem Schlüsselspeicher „${keychain}“ entfernt.`,
    removeTitle: (tenant) => `Geheimen Clientschlüssel von ${tenant} entfernen?`,
    removeBody: (keychain) =>
      `Er wird aus dem Schlüsselspeicher „${keychain}“ gelöscht. Um ihn erneut zu speichern, benötigen Sie seinen Wert aus dem Microsoft Entra Admin Center, das ihn nur beim Erstellen eines geheimen Clientschlüssels anzeigt.`,
    removeSecret: "Clientschlüssel entfernen",
  },

  data: {
    title: "Daten",
    couldNotFind: "Das Datenverzeichnis wurde nicht gefunden",
    database: "Datenbank",
    size: "Größe auf dem Datenträger",
    dataFolder: "Datenordner",
    reports: "Berichte",
    evidencePacks: "Nachweispakete",
    openDataFolder: "Datenordner öffnen",
    couldNotOpen: "Der Datenordner konnte nicht geöffnet werden",
    sameDatabase: (variable) =>
      rich(
        "Die Befehlszeile verwendet dieselbe Datenbank. Um sie in einem anderen Ordner abzulegen, starten Sie Plumbline mit ",
        variable,
        ", gesetzt auf diesen Ordner.",
      ),
    version: (version) => `Version ${version}.`,
  },

  signingKey: {
    title: "Signaturschlüssel für Nachweise",
    description:
      "Nachweispakete werden mit dem Ed25519-Schlüssel dieses Arbeitsbereichs signiert. Geben Sie seinen Fingerabdruck oder öffentlichen Schlüssel an Kunden und Auditoren weiter, damit diese prüfen können, ob ein Paket von Ihnen stammt.",
    couldNotLoad: "Der Signaturschlüssel konnte nicht geladen werden",
    createdTitle: "Schlüssel erstellt",
    createdBody: (keychain) =>
      `Dieser Arbeitsbereich hatte keinen Signaturschlüssel, daher wurde beim Öffnen der Einstellungen einer erstellt (das Erstellen des ersten Nachweispakets hätte das ebenfalls getan). Sein privater Teil liegt im Schlüsselspeicher „${keychain}“.`,
    missingTitle: "Der private Schlüssel fehlt",
    missingAction: (button) => rich("Hier erstellt ", button, " unten den neuen Schlüssel."),
    fingerprint: "Fingerabdruck",
    created: "Erstellt",
    privateKey: "Privater Schlüssel",
    privateKeyWhere: (missing, keychain) =>
      missing
        ? `fehlt im Schlüsselspeicher „${keychain}“`
        : `im Schlüsselspeicher „${keychain}“`,
    retiredKeys: "Ausgemusterte Signaturschlüssel",
    retiredKey: "Ausgemusterter Schlüssel",
    retired: "Ausgemustert",
    exportForm: "Öffentlichen Schlüssel exportieren",
    exportTo: "Öffentlichen Schlüssel exportieren nach",
    exportHint:
      "Ein Dateiname wird in den Nachweisordner neben der Datenbank geschrieben; oder geben Sie einen vollständigen Pfad ein. PEM, wie plumbline key export ihn schreibt.",
    exportKey: "Öffentlichen Schlüssel exportieren",
    rotateKeyEllipsis: "Schlüssel rotieren…",
    working: "Wird ausgeführt…",
    couldNotExport: "Der öffentliche Schlüssel konnte nicht exportiert werden",
    couldNotRotate: "Der Schlüssel konnte nicht rotiert werden",
    exported: (fingerprint, path) =>
      `Öffentlicher Schlüssel (Fingerabdruck ${fingerprint}) nach ${path} geschrieben.`,
    rotated: (fingerprint, old) =>
      `Neuer Signaturschlüssel ${fingerprint}. Der alte Schlüssel ${old} ist ausgemustert; seine Pakete lassen sich weiterhin prüfen.`,
    rotateTitle: "Neuen Signaturschlüssel erstellen?",
    rotateBody: (fingerprint) =>
      rich(
        "Neue Nachweispakete werden mit dem neuen Schlüssel signiert, und der aktuelle Schlüssel (Fingerabdruck ",
        fingerprint,
        ") wird ausgemustert.",
      ),
    rotateStillVerify:
      "Mit dem aktuellen Schlüssel signierte Pakete lassen sich weiterhin prüfen: Jedes Paket enthält seinen eigenen öffentlichen Schlüssel. Kunden und Auditoren, die Fingerabdrücke vergleichen, benötigen den neuen Schlüssel. Exportieren Sie ihn daher, und senden Sie ihn ihnen.",
    rotateKey: "Schlüssel rotieren",
  },
});
