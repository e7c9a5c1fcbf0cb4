import { BlockList, isIP } from 'node:net';

/**
 * Addresses a webhook must not reach unless private addresses are allowed: loopback, private
 * networks, link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, multicast and
 * reserved ranges. An attacker with an admin account could otherwise make Obrol probe its own
 * network.
 */
const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) PRIVATE.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96]] as const) PRIVATE.addSubnet(net, bits, 'ipv6');

/** An IPv4 address written as IPv6 (`::ffff:7f00:1`, `::ffff:127.0.0.1`), as IPv4, or null. */
function mappedIpv4(ip: string): string | null {
  const m = /^(?:0{0,4}:){0,5}:?ffff:(.+)$/i.exec(ip);
  if (!m?.[1]) return null;
  if (isIP(m[1]) === 4) return m[1];
  const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(m[1]);
  if (!hex) return null;
  const [hi, lo] = [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16)];
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** Whether an IP address is loopback, private, link-local or otherwise not on the public internet. */
export function isPrivateAddress(ip: string): boolean {
  const bare = ip.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 4) return PRIVATE.check(bare, 'ipv4');
  if (family !== 6) return true;
  const v4 = mappedIpv4(bare);
  return v4 ? PRIVATE.check(v4, 'ipv4') : PRIVATE.check(bare, 'ipv6');
}

/**
 * Why a URL cannot be a webhook endpoint, or null when it can: it must be absolute http(s),
 * without credentials, and (unless `allowPrivate`) not name a private address or `localhost`.
 * Host names are checked again when connecting (`deliveryLookup`), since DNS may point anywhere.
 */
export function endpointUrlProblem(raw: string, allowPrivate: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a valid URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must start with https:// or http://';
  if (url.username || url.password) return 'must not contain a user name or password; authenticate with the signature';
  if (allowPrivate) return null;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return 'must not point at this machine (localhost)';
  if (isIP(host) && isPrivateAddress(host)) return 'must not point at a private, loopback or link-local address';
  return null;
}
