// The embedded demo chain (`npm run demo`, the panel's "local demo chain"): a fresh anvil with the
// example VaultV1 behind a UUPS proxy owned by a TimelockController, two deposits into it (recent
// traffic to replay), and VaultV2 deployed beside it.
import { encodeFunctionData, type Address } from 'viem';
import { startAnvil, type AnvilNode } from './anvil';
import { loadStandardArtifacts, type ArtifactSet } from './artifacts';
import { connectChain, sendAndConfirm, type ChainClients } from './clients';
import { deployTimelockedVault, type TimelockedVault } from './deploy';

export interface DemoChain {
  anvil: AnvilNode;
  clients: ChainClients;
  artifacts: ArtifactSet;
  /** anvil's first dev account: deployed everything. */
  deployer: Address;
  /** anvil's second dev account: holds PROPOSER_ROLE on the timelock (anyone may execute). */
  proposer: Address;
  vault: TimelockedVault;
  /** Stops anvil. */
  stop(): Promise<void>;
}

export async function startDemoChain(options: { anvilPath?: string; minDelay?: bigint; solcPath?: string } = {}): Promise<DemoChain> {
  // Compile first (cached after the first run): no process to clean up if it fails.
  const artifacts = await loadStandardArtifacts({ solcPath: options.solcPath });
  const anvil = await startAnvil({ anvilPath: options.anvilPath });
  try {
    const clients = await connectChain(anvil.rpcUrl);
    const [deployer, proposer] = (await clients.wallet.getAddresses()) as Address[];
    const vault = await deployTimelockedVault(clients, artifacts, { from: deployer, proposer, minDelay: options.minDelay ?? 3600n, deployV2: true });
    // Some traffic on the vault: the simulation replays the proxy's recent transactions.
    const [, , alice, bob] = (await clients.wallet.getAddresses()) as Address[];
    const deposit = encodeFunctionData({ abi: artifacts.get('VaultV1').abi, functionName: 'deposit' });
    for (const [from, value] of [[alice, 10n ** 18n], [bob, 5n * 10n ** 17n]] as const) await sendAndConfirm(clients, { from, to: vault.proxy, data: deposit, value });
    return { anvil, clients, artifacts, deployer, proposer, vault, stop: () => anvil.stop() };
  } catch (error) {
    await anvil.stop();
    throw error;
  }
}
