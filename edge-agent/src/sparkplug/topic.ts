/**
 * Sparkplug B topics (Sparkplug 3.0 "Topic Namespace Elements"):
 * `spBv1.0/<group>/<type>/<edge node>[/<device>]`.
 */
const NAMESPACE = 'spBv1.0';

export const sparkplugTopic = {
  node(group: string, type: 'NBIRTH' | 'NDEATH' | 'NDATA' | 'NCMD', node: string): string {
    return `${NAMESPACE}/${group}/${type}/${node}`;
  },
  device(
    group: string,
    type: 'DBIRTH' | 'DDEATH' | 'DDATA' | 'DCMD',
    node: string,
    device: string,
  ): string {
    return `${NAMESPACE}/${group}/${type}/${node}/${device}`;
  },
} as const;
