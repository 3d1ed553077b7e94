// The texts of the Settings card for the Plumbline server: signing this computer in, what
// the server says about it, checking the connection and signing out. The server's
// messages (a refused sign-in, why a check failed) come from the backend and stay as they
// are; so do names from it (the keychain's, the server's address, workspaces).

import { defineMessages } from "../../i18n";

/** Roles a server gives in a workspace (its `Role` codes). Other codes are shown as sent. */
type Roles = Readonly<Record<"owner" | "admin" | "operator" | "reviewer" | "viewer", string>>;

const en = {
  title: "Plumbline server",
  description: (keychain: string | null) =>
    `A Plumbline server lets your team share one portfolio; this computer signs in once and its device token is kept only in the ${keychain ?? "system's keychain"}, never in the database.`,
  notYetSync:
    "Syncing the portfolio with the server comes in a later version: for now, signing in only links this computer to your account, and no tenants, findings or reports move to or from the server yet.",
  couldNotLoad: "Couldn't load the server connection",

  statusNone: "Not signed in to a Plumbline server.",
  statusSignedOut: (url: string | null) =>
    url ? `Signed out of ${url}.` : "Not signed in to a Plumbline server.",
  statusConnected: (url: string) => `Connected to ${url}.`,
  statusFailed: (url: string) => `Signed in to ${url}, but the last check failed.`,

  signInForm: "Sign in to a Plumbline server",
  url: "Server address",
  urlHint: "The address the server's administrator gave you.",
  urlInvalid: "Enter the address with http:// or https:// at the start.",
  email: "E-mail address",
  emailRequired: "Enter the e-mail address you sign in to the server with.",
  password: "Password",
  passwordHint: "Sent once to get this computer's token; it is never stored or shown again.",
  passwordRequired: "Enter your password.",
  deviceName: "Device name",
  deviceNameHint:
    "How this computer is listed on the server, so you can tell your devices apart and sign one out.",
  defaultDeviceName: "This computer",
  signIn: "Sign in",
  signingIn: "Signing in…",
  couldNotSignIn: "Couldn't sign in to the server",
  signedOutProblem: (problem: string) => `Signed out: ${problem}`,

  serverAddress: "Server address",
  serverVersion: "Server version",
  signedInAs: "Signed in as",
  user: (name: string, email: string) => `${name} <${email}>`,
  thisDevice: "This device",
  deviceToken: "Device token",
  tokenWhere: (keychain: string) => `in the ${keychain}`,
  workspaces: "Workspaces",
  workspaceRole: (workspace: string, role: string) => `${workspace} (${role})`,
  noWorkspaces: "None yet: ask the server's administrator to add you to a workspace.",
  roles: {
    owner: "owner",
    admin: "admin",
    operator: "operator",
    reviewer: "reviewer",
    viewer: "viewer",
  } as Roles,
  lastChecked: "Last checked",
  never: "Never",
  unknown: "Unknown",

  check: "Check connection",
  checkAgain: "Check again",
  checking: "Checking…",
  checked: "Connected: the server answered.",
  couldNotCheck: "Couldn't check the connection",
  failedTitle: "The last check failed",

  signOutEllipsis: "Sign out…",
  signOut: "Sign out",
  signingOut: "Signing out…",
  signOutTitle: "Sign out of the server?",
  signOutBody: (keychain: string) =>
    `This computer's token is revoked and removed from the ${keychain}; your local data stays.`,
  couldNotSignOut: "Couldn't sign out of the server",
  signedOutDone: (keychain: string) =>
    `Signed out. This computer's token was removed from the ${keychain}; your local data is as it was.`,
};

export type ServerMessages = typeof en;

export const messages = defineMessages(en, {
  title: "Plumbline-Server",
  description: (keychain) =>
    `Über einen Plumbline-Server teilt Ihr Team ein Portfolio; dieser Computer meldet sich einmal an, und sein Gerätetoken wird nur ${keychain ? `im Schlüsselspeicher „${keychain}“` : "im Schlüsselspeicher des Systems"} aufbewahrt, nie in der Datenbank.`,
  notYetSync:
    "Die Synchronisierung des Portfolios mit dem Server kommt in einer späteren Version: Vorerst verknüpft die Anmeldung nur diesen Computer mit Ihrem Konto; Mandanten, Befunde und Berichte werden noch nicht zum oder vom Server übertragen.",
  couldNotLoad: "Die Serververbindung konnte nicht geladen werden",

  statusNone: "Nicht bei einem Plumbline-Server angemeldet.",
  statusSignedOut: (url) =>
    url ? `Von ${url} abgemeldet.` : "Nicht bei einem Plumbline-Server angemeldet.",
  statusConnected: (url) => `Verbunden mit ${url}.`,
  statusFailed: (url) => `Bei ${url} angemeldet, aber die letzte Prüfung ist fehlgeschlagen.`,

  signInForm: "Bei einem Plumbline-Server anmelden",
  url: "Serveradresse",
  urlHint: "Die Adresse, die Sie vom Administrator des Servers erhalten haben.",
  urlInvalid: "Geben Sie die Adresse mit http:// oder https:// am Anfang ein.",
  email: "E-Mail-Adresse",
  emailRequired: "Geben Sie die E-Mail-Adresse ein, mit der Sie sich am Server anmelden.",
  password: "Kennwort",
  passwordHint:
    "Wird einmal gesendet, um das Token dieses Computers zu erhalten; es wird nie gespeichert oder wieder angezeigt.",
  passwordRequired: "Geben Sie Ihr Kennwort ein.",
  deviceName: "Gerätename",
  deviceNameHint:
    "So wird dieser Computer auf dem Server aufgeführt, damit Sie Ihre Geräte unterscheiden und einzeln abmelden können.",
  defaultDeviceName: "Dieser Computer",
  signIn: "Anmelden",
  signingIn: "Anmeldung läuft…",
  couldNotSignIn: "Die Anmeldung am Server ist fehlgeschlagen",
  signedOutProblem: (problem) => `Abgemeldet: ${problem}`,

  serverAddress: "Serveradresse",
  serverVersion: "Serverversion",
  signedInAs: "Angemeldet als",
  user: (name, email) => `${name} <${email}>`,
  thisDevice: "Dieses Gerät",
  deviceToken: "Gerätetoken",
  tokenWhere: (keychain) => `im Schlüsselspeicher „${keychain}“`,
  workspaces: "Arbeitsbereiche",
  workspaceRole: (workspace, role) => `${workspace} (${role})`,
  noWorkspaces:
    "Noch keine: Bitten Sie den Administrator des Servers, Sie einem Arbeitsbereich hinzuzufügen.",
  roles: {
    owner: "Besitzer",
    admin: "Administrator",
    operator: "Operator",
    reviewer: "Prüfer",
    viewer: "Betrachter",
  },
  lastChecked: "Zuletzt geprüft",
  never: "Noch nie",
  unknown: "Unbekannt",

  check: "Verbindung prüfen",
  checkAgain: "Erneut prüfen",
  checking: "Wird geprüft…",
  checked: "Verbunden: Der Server hat geantwortet.",
  couldNotCheck: "Die Verbindung konnte nicht geprüft werden",
  failedTitle: "Die letzte Prüfung ist fehlgeschlagen",

  signOutEllipsis: "Abmelden…",
  signOut: "Abmelden",
  signingOut: "Abmeldung läuft…",
  signOutTitle: "Vom Server abmelden?",
  signOutBody: (keychain) =>
    `Das Token dieses Computers wird widerrufen und aus dem Schlüsselspeicher „${keychain}“ entfernt; Ihre lokalen Daten bleiben erhalten.`,
  couldNotSignOut: "Die Abmeldung vom Server ist fehlgeschlagen",
  signedOutDone: (keychain) =>
    `Abgemeldet. Das Token dieses Computers wurde aus dem Schlüsselspeicher „${keychain}“ entfernt; Ihre lokalen Daten sind unverändert.`,
});

/** A role code in the interface language; codes this version does not know, as sent. */
export function roleName(m: ServerMessages, role: string): string {
  return Object.prototype.hasOwnProperty.call(m.roles, role)
    ? m.roles[role as keyof Roles]
    : role;
}
