// Texts of the Settings page itself and of its language and theme sections.

import { defineMessages } from "../../i18n";

const en = {
  title: "Settings",
  description:
    "How reports are branded, how tenants connect, the key evidence packs are signed with, where Plumbline keeps its data, how it looks, which language it speaks and which Plumbline server it signs in to.",
  interfaceTitle: "Interface language",
  interfaceDescription:
    "The language of Plumbline's screens on this computer. Messages from the engine (errors, explanations of findings) stay in English.",
  followSystem: (language: string) => `Follow the system (now ${language})`,
  languageNames: { en: "English", de: "Deutsch (German)" },
  reportTitle: "Report language",
  reportDescription:
    "The language new reports are written in, unless you pick another on the Reports page or with plumbline report --lang.",
  loading: "Loading…",
  couldNotLoadReport: "Couldn't load the report language",
  couldNotSaveReport: "Couldn't save the report language",
  reportSaved: (language: string) => `New reports are written in ${language}.`,
  themeTitle: "Theme",
  themeSystem: "Follow the system",
  themeLight: "Light",
  themeDark: "Dark",
};

export const messages = defineMessages(en, {
  title: "Einstellungen",
  description:
    "Wie Berichte gestaltet sind, wie Mandanten verbunden werden, mit welchem Schlüssel Nachweispakete signiert werden, wo Plumbline seine Daten ablegt, wie es aussieht, welche Sprache es spricht und bei welchem Plumbline-Server es sich anmeldet.",
  interfaceTitle: "Sprache der Oberfläche",
  interfaceDescription:
    "Die Sprache der Plumbline-Oberfläche auf diesem Computer. Meldungen der Engine (Fehler, Erläuterungen zu Befunden) bleiben auf Englisch.",
  followSystem: (language) => `Wie das System (derzeit ${language})`,
  languageNames: { en: "English (Englisch)", de: "Deutsch" },
  reportTitle: "Berichtssprache",
  reportDescription:
    "Die Sprache, in der neue Berichte geschrieben werden, sofern Sie auf der Seite Berichte oder mit plumbline report --lang keine andere wählen.",
  loading: "Wird geladen…",
  couldNotLoadReport: "Die Berichtssprache konnte nicht geladen werden",
  couldNotSaveReport: "Die Berichtssprache konnte nicht gespeichert werden",
  reportSaved: (language) => `Neue Berichte werden auf ${language} geschrieben.`,
  themeTitle: "Design",
  themeSystem: "Wie das System",
  themeLight: "Hell",
  themeDark: "Dunkel",
});
