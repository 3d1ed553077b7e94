//! Graph objects of kinds the Open Intune Baseline corpus has no example of, in the shapes
//! Microsoft Graph documents (v1.0/beta), as exports hold them: annotations, ids and
//! timestamps included.

use serde_json::Value;

pub(super) fn parse(text: &str) -> Value {
    serde_json::from_str(text).expect("fixture is valid JSON")
}

pub(super) const ADMINS_GROUP: &str = "5a1c2f9e-7d44-4c1b-9a63-2f0d7b8e1c01";
pub(super) const BREAK_GLASS_GROUP: &str = "0f6e3d2c-1b4a-4e59-8c77-6d5e4f3a2b10";
pub(super) const BREAK_GLASS_USER: &str = "7c9d8e1f-2a3b-4c5d-8e6f-7a8b9c0d1e2f";
pub(super) const OFFICE_LOCATION: &str = "3e2d1c0b-9a8f-4e7d-a6c5-b4a392817061";
pub(super) const TERMS: &str = "9b8a7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d";

/// Require MFA for administrators, with the usual exclusions.
pub(super) const CA_ADMIN_MFA: &str = r##"{
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#identity/conditionalAccess/policies/$entity",
  "id": "4b0e7d4c-8f3a-4c2e-b1d9-0a6f5e4d3c2b",
  "templateId": null,
  "displayName": "CA001 - Require MFA for administrators",
  "createdDateTime": "2024-01-10T10:00:00.1234567Z",
  "modifiedDateTime": "2024-03-01T12:00:00Z",
  "state": "enabled",
  "sessionControls": null,
  "partialEnablementStrategy": null,
  "conditions": {
    "userRiskLevels": [],
    "signInRiskLevels": [],
    "clientAppTypes": ["all"],
    "servicePrincipalRiskLevels": [],
    "insiderRiskLevels": null,
    "platforms": null,
    "devices": null,
    "clientApplications": null,
    "authenticationFlows": null,
    "locations": {
      "includeLocations": ["All"],
      "excludeLocations": ["AllTrusted", "3e2d1c0b-9a8f-4e7d-a6c5-b4a392817061"]
    },
    "applications": {
      "includeApplications": ["All"],
      "excludeApplications": [],
      "includeUserActions": [],
      "includeAuthenticationContextClassReferences": [],
      "applicationFilter": null
    },
    "users": {
      "includeUsers": [],
      "excludeUsers": ["7c9d8e1f-2a3b-4c5d-8e6f-7a8b9c0d1e2f"],
      "includeGroups": ["5a1c2f9e-7d44-4c1b-9a63-2f0d7b8e1c01"],
      "excludeGroups": ["0f6e3d2c-1b4a-4e59-8c77-6d5e4f3a2b10"],
      "includeRoles": [
        "62e90394-69f5-4237-9190-012177145e10",
        "194ae4cb-b126-40b2-bd5b-6091b380977d",
        "f28a1f50-f6e7-4571-818b-6a12f2af6b6c"
      ],
      "excludeRoles": [],
      "includeGuestsOrExternalUsers": null,
      "excludeGuestsOrExternalUsers": null
    }
  },
  "grantControls": {
    "operator": "OR",
    "builtInControls": ["mfa"],
    "customAuthenticationFactors": [],
    "termsOfUse": ["9b8a7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"],
    "authenticationStrength@odata.context": "https://graph.microsoft.com/v1.0/$metadata#identity/conditionalAccess/policies('4b0e7d4c-8f3a-4c2e-b1d9-0a6f5e4d3c2b')/grantControls/authenticationStrength/$entity",
    "authenticationStrength": null
  }
}"##;

/// Guests must use a custom authentication strength; sign-in frequency session control.
pub(super) const CA_GUEST_STRENGTH: &str = r##"{
  "id": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
  "displayName": "CA104 - Guests - Phishing-resistant MFA",
  "createdDateTime": "2024-05-10T10:00:00Z",
  "modifiedDateTime": null,
  "state": "enabledForReportingButNotEnforced",
  "conditions": {
    "clientAppTypes": ["browser", "mobileAppsAndDesktopClients"],
    "applications": {"includeApplications": ["All"], "excludeApplications": ["00000002-0000-0ff1-ce00-000000000000"]},
    "users": {
      "includeUsers": [],
      "excludeUsers": [],
      "includeGroups": [],
      "excludeGroups": [],
      "includeRoles": [],
      "excludeRoles": [],
      "includeGuestsOrExternalUsers": {
        "guestOrExternalUserTypes": "b2bCollaborationMember,internalGuest,b2bCollaborationGuest",
        "externalTenants": {
          "@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants",
          "membershipKind": "all"
        }
      },
      "excludeGuestsOrExternalUsers": null
    },
    "platforms": {"includePlatforms": ["all"], "excludePlatforms": ["linux", "macOS"]},
    "locations": null
  },
  "grantControls": {
    "operator": "AND",
    "builtInControls": [],
    "customAuthenticationFactors": [],
    "termsOfUse": [],
    "authenticationStrength": {
      "id": "e8d3c1a2-8a1e-4c8f-9d55-7c1b2a3f4e5d",
      "createdDateTime": "2024-05-01T08:00:00Z",
      "modifiedDateTime": "2024-05-01T08:00:00Z",
      "displayName": "Contoso phishing-resistant",
      "description": "FIDO2 or Windows Hello",
      "policyType": "custom",
      "requirementsSatisfied": "mfa",
      "allowedCombinations": ["windowsHelloForBusiness", "fido2"],
      "combinationConfigurations@odata.context": "https://graph.microsoft.com/v1.0/$metadata#identity/conditionalAccess/policies('a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d')/grantControls/authenticationStrength/combinationConfigurations",
      "combinationConfigurations": []
    }
  },
  "sessionControls": {
    "disableResilienceDefaults": null,
    "applicationEnforcedRestrictions": null,
    "cloudAppSecurity": null,
    "persistentBrowser": {"mode": "never", "isEnabled": true},
    "signInFrequency": {"value": 12, "type": "hours", "authenticationType": "primaryAndSecondaryAuthentication", "frequencyInterval": "timeBased", "isEnabled": true}
  }
}"##;

pub(super) const DEFINITION_SMARTSCREEN: &str = "7e2d6a0a-1c3b-4d5e-8f9a-0b1c2d3e4f50";
pub(super) const DEFINITION_BLOCKED_URLS: &str = "a9b8c7d6-e5f4-4321-9abc-def012345678";
pub(super) const DEFINITION_IDLE_TIMEOUT: &str = "c0ffee00-1111-4222-8333-444455556666";
pub(super) const PRESENTATION_URLS: &str = "11112222-3333-4444-8555-666677778888";
pub(super) const PRESENTATION_MINUTES: &str = "99990000-aaaa-4bbb-8ccc-ddddeeeeffff";

/// Administrative templates: an expanded definition, a list presentation, and a value
/// written with `@odata.bind` links (as Graph's create payloads and some exports do).
pub(super) const ADMIN_TEMPLATE: &str = r##"{
  "@odata.type": "#microsoft.graph.groupPolicyConfiguration",
  "id": "f0e1d2c3-b4a5-4968-8776-655443322110",
  "displayName": "Win - Admin templates - Edge",
  "description": "",
  "createdDateTime": "2024-02-02T09:00:00Z",
  "lastModifiedDateTime": "2024-02-03T09:00:00Z",
  "roleScopeTagIds": ["0"],
  "policyConfigurationIngestionType": "builtIn",
  "definitionValues": [
    {
      "id": "d1d1d1d1-0000-4000-8000-000000000001",
      "enabled": true,
      "configurationType": "policy",
      "createdDateTime": "2024-02-02T09:00:00Z",
      "lastModifiedDateTime": "2024-02-02T09:00:00Z",
      "definition@odata.context": "https://graph.microsoft.com/beta/$metadata#deviceManagement/groupPolicyConfigurations('f0e1d2c3-b4a5-4968-8776-655443322110')/definitionValues('d1d1d1d1-0000-4000-8000-000000000001')/definition/$entity",
      "definition": {
        "id": "7E2D6A0A-1C3B-4D5E-8F9A-0B1C2D3E4F50",
        "displayName": "Configure Microsoft Defender SmartScreen",
        "classType": "machine",
        "categoryPath": "\\Microsoft Edge\\SmartScreen settings",
        "explainText": "This policy setting lets you configure whether to turn on Microsoft Defender SmartScreen.",
        "supportedOn": "Microsoft Edge version 77, Windows 7 or later",
        "policyType": "admxBacked"
      },
      "presentationValues": []
    },
    {
      "id": "d1d1d1d1-0000-4000-8000-000000000002",
      "enabled": true,
      "configurationType": "policy",
      "definition": {
        "id": "a9b8c7d6-e5f4-4321-9abc-def012345678",
        "displayName": "Block access to a list of URLs",
        "classType": "user"
      },
      "presentationValues": [
        {
          "@odata.type": "#microsoft.graph.groupPolicyPresentationValueList",
          "id": "e2e2e2e2-0000-4000-8000-000000000002",
          "lastModifiedDateTime": "2024-02-02T09:00:00Z",
          "createdDateTime": "2024-02-02T09:00:00Z",
          "values": [
            {"name": "https://gambling.example", "value": null},
            {"name": "https://social.example", "value": null}
          ],
          "presentation": {
            "@odata.type": "#microsoft.graph.groupPolicyPresentationListBox",
            "id": "11112222-3333-4444-8555-666677778888",
            "label": "Block access to a list of URLs"
          }
        }
      ]
    },
    {
      "enabled": false,
      "configurationType": "policy",
      "definition@odata.bind": "https://graph.microsoft.com/beta/deviceManagement/groupPolicyDefinitions('c0ffee00-1111-4222-8333-444455556666')",
      "presentationValues": [
        {
          "@odata.type": "#microsoft.graph.groupPolicyPresentationValueDecimal",
          "value": 30,
          "presentation@odata.bind": "https://graph.microsoft.com/beta/deviceManagement/groupPolicyDefinitions('c0ffee00-1111-4222-8333-444455556666')/presentations('99990000-aaaa-4bbb-8ccc-ddddeeeeffff')"
        }
      ]
    }
  ]
}"##;

pub(super) const OMA_CORTANA: &str = "./Device/Vendor/MSFT/Policy/Config/Experience/AllowCortana";
pub(super) const OMA_TOKEN: &str = "./Device/Vendor/MSFT/Custom/Token";
pub(super) const OMA_HOMEPAGES: &str = "./Device/Vendor/MSFT/Policy/Config/Browser/HomePages";

/// A custom OMA-URI profile, one value of which Graph returns encrypted.
pub(super) const CUSTOM_OMA: &str = r##"{
  "@odata.type": "#microsoft.graph.windows10CustomConfiguration",
  "id": "0a0b0c0d-1e1f-4a2b-8c3d-4e5f6a7b8c9d",
  "displayName": "Win - Custom - Hardening",
  "description": null,
  "version": 3,
  "createdDateTime": "2024-01-01T00:00:00Z",
  "lastModifiedDateTime": "2024-06-01T00:00:00Z",
  "roleScopeTagIds": ["0"],
  "supportsScopeTags": true,
  "deviceManagementApplicabilityRuleOsEdition": null,
  "omaSettings@odata.type": "#Collection(microsoft.graph.omaSetting)",
  "omaSettings": [
    {
      "@odata.type": "#microsoft.graph.omaSettingInteger",
      "displayName": "Disable Cortana",
      "description": null,
      "omaUri": "./Device/Vendor/MSFT/Policy/Config/Experience/AllowCortana",
      "secretReferenceValueId": null,
      "isEncrypted": false,
      "value": 0,
      "isReadOnly": false
    },
    {
      "@odata.type": "#microsoft.graph.omaSettingString",
      "displayName": "Agent token",
      "description": "",
      "omaUri": "./Device/Vendor/MSFT/Custom/Token",
      "secretReferenceValueId": "2d3c4b5a-6978-4a1b-9c2d-3e4f5a6b7c8d_Token",
      "isEncrypted": true,
      "value": "MIIBOQYJKoZIhvcNAQcDoIIBKjCCASYCAQAxgfAwge0CAQAwVjBCMUAwPgYDVQQDHjcA"
    },
    {
      "@odata.type": "#microsoft.graph.omaSettingString",
      "displayName": "Edge home pages",
      "description": null,
      "omaUri": "./Device/Vendor/MSFT/Policy/Config/Browser/HomePages",
      "isEncrypted": false,
      "value": "<https://intranet.example>"
    }
  ]
}"##;

/// Defender for Endpoint onboarding through a device configuration profile.
pub(super) const ATP_ONBOARDING: &str = r##"{
  "@odata.type": "#microsoft.graph.windowsDefenderAdvancedThreatProtectionConfiguration",
  "id": "6b5a4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d",
  "displayName": "Win - MDE - Onboarding",
  "description": "",
  "roleScopeTagIds": ["0"],
  "supportsScopeTags": true,
  "version": 1,
  "advancedThreatProtectionOnboardingBlob": "{\"body\":\"eyJQYXJ0bmVyU2lnbmF0dXJlIjoiQ29udG9zbyJ9\",\"sig\":\"aGVsbG8=\"}",
  "advancedThreatProtectionOnboardingFilename": "WindowsDefenderATP.onboarding",
  "advancedThreatProtectionAutoPopulateOnboardingBlob": false,
  "allowSampleSharing": true,
  "enableExpeditedTelemetryReporting": true,
  "advancedThreatProtectionOffboardingBlob": "",
  "advancedThreatProtectionOffboardingFilename": null
}"##;

/// An endpoint-security intent (the template-based endpoint security policies).
pub(super) const INTENT_FIREWALL: &str = r##"{
  "@odata.type": "#microsoft.graph.deviceManagementIntent",
  "id": "12121212-3434-4565-8787-909090909090",
  "displayName": "Win - ES - Firewall (legacy)",
  "description": "",
  "isAssigned": true,
  "isMigratingToConfigurationPolicy": false,
  "lastModifiedDateTime": "2023-11-11T11:11:11Z",
  "templateId": "4356d05c-a4ab-4a07-9ece-739f7c792910",
  "roleScopeTagIds": ["0"],
  "settings": [
    {
      "@odata.type": "#microsoft.graph.deviceManagementBooleanSettingInstance",
      "id": "b0b0b0b0-0000-4000-8000-000000000001",
      "definitionId": "deviceConfiguration--windows10EndpointProtectionConfiguration_firewallBlockStatefulFTP",
      "valueJson": "true",
      "value": true
    },
    {
      "@odata.type": "#microsoft.graph.deviceManagementCollectionSettingInstance",
      "id": "b0b0b0b0-0000-4000-8000-000000000002",
      "definitionId": "deviceConfiguration--windows10EndpointProtectionConfiguration_defenderAttackSurfaceReductionExcludedPaths",
      "valueJson": "[\"D:\\\\Build\",\"C:\\\\Temp\"]"
    },
    {
      "@odata.type": "#microsoft.graph.deviceManagementComplexSettingInstance",
      "id": "b0b0b0b0-0000-4000-8000-000000000003",
      "definitionId": "deviceConfiguration--windows10EndpointProtectionConfiguration_firewallProfileDomain",
      "valueJson": "{\"firewallEnabled\":\"allowed\",\"stealthModeBlocked\":true,\"inboundNotificationsBlocked\":null}"
    },
    {
      "@odata.type": "#microsoft.graph.deviceManagementStringSettingInstance",
      "id": "b0b0b0b0-0000-4000-8000-000000000004",
      "definitionId": "deviceConfiguration--windows10EndpointProtectionConfiguration_defenderSecurityCenterITContactDisplay",
      "valueJson": "null"
    }
  ]
}"##;

pub(super) const FEATURE_UPDATE: &str = r##"{
  "@odata.type": "#microsoft.graph.windowsFeatureUpdateProfile",
  "id": "fe000000-0000-4000-8000-000000000001",
  "displayName": "Win - Feature update - 24H2",
  "description": "",
  "featureUpdateVersion": "Windows 11, version 24H2",
  "rolloutSettings": {"offerStartDateTimeInUTC": null, "offerEndDateTimeInUTC": null, "offerIntervalInDays": null},
  "createdDateTime": "2024-10-01T00:00:00Z",
  "lastModifiedDateTime": "2024-10-02T00:00:00Z",
  "roleScopeTagIds": ["0"],
  "deployableContentDisplayName": "Windows 11, version 24H2",
  "endOfSupportDate": "2026-10-13T00:00:00Z",
  "installLatestWindows10OnWindows11IneligibleDevice": true,
  "installFeatureUpdatesOptional": false
}"##;

pub(super) const QUALITY_UPDATE: &str = r##"{
  "@odata.type": "#microsoft.graph.windowsQualityUpdateProfile",
  "id": "9a000000-0000-4000-8000-000000000001",
  "displayName": "Win - Expedite - 2025-01",
  "description": "",
  "expeditedUpdateSettings": {"qualityUpdateRelease": "2025-01-14T00:00:00Z", "daysUntilForcedReboot": 1},
  "createdDateTime": "2025-01-15T00:00:00Z",
  "lastModifiedDateTime": "2025-01-15T00:00:00Z",
  "roleScopeTagIds": ["0"],
  "releaseDateDisplayName": "January 14, 2025 - 2025.01 B Security Updates",
  "deployableContentDisplayName": "2025.01 B Security Updates for Windows 10 and later"
}"##;
