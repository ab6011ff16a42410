import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KamailioPeer, modulesDir, runKamailio } from './kamailio.js';

export interface ForwarderOptions {
  /** Listening address and UDP port. */
  host: string;
  port: number;
  /** Requests whose source address is `from` go to `fromHop`; all others to `elseHop` (SIP URIs). */
  from: string;
  fromHop: string;
  elseHop: string;
}

/**
 * A real Kamailio 5.6 as a gateway community's connector: a stateful forwarder on UDP that
 * sends every request from one server to the other and the rest back, answering the
 * connector probes (an OPTIONS without a user part) itself. It does not record-route.
 */
export async function startKamailioForwarder(options: ForwarderOptions): Promise<KamailioPeer> {
  const dir = await mkdtemp(join(tmpdir(), 'herald-kamailio-fwd-'));
  await writeFile(join(dir, 'kamailio.cfg'), config(options, await modulesDir(false)));
  return runKamailio(dir, options.port, 32);
}

function config(o: ForwarderOptions, modules: string): string {
  return `#!KAMAILIO
debug=2
log_stderror=yes
children=1
auto_aliases=no
listen=udp:${o.host}:${o.port}
mpath="${modules}/"

loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "xlog.so"

event_route[core:worker-one-init] {
  xlog("L_NOTICE", "kamailio-peer-ready\\n");
}

request_route {
  if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
  # A connector probe (RFC 3261 §11: OPTIONS to the server itself).
  if (is_method("OPTIONS") && $rU == $null) { sl_send_reply("200", "OK"); exit; }
  if (is_method("ACK") && !t_check_trans()) exit;
  # The sender's Route to this connector is consumed here; the next hop is chosen by source.
  remove_hf("Route");
  if ($si == "${o.from}") $du = "${o.fromHop}";
  else $du = "${o.elseHop}";
  t_relay();
  exit;
}
`;
}
