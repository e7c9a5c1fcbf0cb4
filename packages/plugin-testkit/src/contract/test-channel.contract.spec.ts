import { describeChannelContract } from './channel-contract.js';
import { testChannelUnderContract } from './test-support/test-channel.fixtures.js';

const { plugin, fixtures } = testChannelUnderContract();

describeChannelContract(plugin, fixtures);
