export { readBuildSettings, type BuildSettings, type BuildSettingsOverride } from './build-settings';
export { settingsText, verifyDeployment, VerifyChainError, VerifyInputError, type VerifyDifference, type VerifyRequest, type VerifyResult, type VerifyVerdict } from './verify';
