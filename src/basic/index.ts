export {
  twoLevelBasic,
  twoLevelBasicFromStats,
  twoLevelSuffStats,
  loglikTwoLevel,
  type TwoLevelBasicInput,
  type TwoLevelBasicOptions,
  type TwoLevelBasicResult,
  type TwoLevelParams,
  type TwoLevelSuffStats,
  type ClusterStats,
  type PatternGroup,
} from './twolevelBasic.js';
export { iccAnova, type IccAnovaResult } from './icc.js';
