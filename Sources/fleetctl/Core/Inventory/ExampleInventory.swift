/// The commented example inventory (the repository's `inventory.example.toml`, byte for byte),
/// built into fleetctl so `fleetctl init-inventory` can write it on a machine that has only the
/// binary: the hint "copy inventory.example.toml" pointed at a file that exists only in the
/// source tree. InventoryLoaderTests.testExampleInventoryIsShippedVerbatim fails when the two differ.
public enum ExampleInventory {
    public static let text = #"""
        # fleetctl inventory: the hosts of a fleet and the policies that apply to them.
        #
        # fleetctl reads, in this order: --inventory PATH, $FLEETCTL_INVENTORY, ./inventory.toml.
        # `fleetctl init-inventory` writes this file as ./inventory.toml (it ships inside fleetctl); edit
        # it, then `fleetctl check` prints what fleetctl understood (every host with its effective
        # settings) or names the file, line and key at fault, and whether each host can be reached.
        #
        # Settings cascade: [defaults] -> each [groups.NAME] the host belongs to, in the order the host
        # lists them -> the host's own [hosts.NAME] table. Relative local paths are read from this
        # file's folder; remote paths (config, agent_runner) are passed to the remote shell unchanged.

        [defaults]
        # ssh client config passed to ssh as `-F PATH`. Leave it out to use your own ~/.ssh/config.
        # Keep per-host trust there: IdentityFile, `StrictHostKeyChecking yes` (never `no`).
        # ssh_config = "ssh/fleet_config"

        # Path of agent-runner.toml on each host, as the remote shell sees it (~ is the remote home).
        config = "~/agent/agent-runner.toml"

        # The agent-runner command on each host (a full path if it is not on the remote PATH).
        agent_runner = "agent-runner"

        # Seconds between polls of one host by `fleetctl watch`, and the hard deadline of one poll.
        poll_interval_s = 30
        poll_timeout_s = 20

        # ssh ConnectTimeout, in seconds.
        connect_timeout_s = 10

        # ssh failures inside this many seconds are "blips" (retried with back-off 1 s, 2 s, 4 s ... 30 s);
        # past it the host is given up and an alert fires. 0 = give up on the first failure.
        remote_failure_tolerance_s = 90

        # Reuse one ssh connection per host (ControlMaster) between polls.
        connection_reuse = true

        # Alerting: a detector's alert must show on polls for alert_for_s seconds before it fires
        # (0 = at once), and a firing alert is notified again every alert_repeat_s (0 = never).
        alert_for_s = 0
        alert_repeat_s = 3600

        # Fleet-wide, [defaults] only: where `fleetctl watch` keeps alert state, silences and its event
        # log fleet-events-YYYY-MM.jsonl. Default: a directory of this file's own under
        # ~/.local/state/fleetctl (fleetctl check prints it); --state-dir overrides it.
        # state_dir = "~/.local/state/fleetctl/lab"

        # Detector thresholds applied to every host (override per group or host).
        [defaults.detectors]
        disk_warning_pct = 90          # disk_warning fires at or above this
        disk_critical_pct = 95         # disk_critical fires (and may auto-stop) at or above this
        # supervisor_stale_threshold_s = 2700   # default: the host's round_timeout_s * 1.5; 0 = off
        window = 10                    # rounds the rate detectors (timeout_rate, oauth_fail, network_fail) look at
        rate_threshold = 0.2           # fraction of the window that must match
        short_exit_s = 60              # a round shorter than this is a "short exit"
        hung_factor = 1.5              # hung: a round open longer than round_timeout_s * this
        orphan_streak = 3              # orphan_chain: consecutive rounds that left stashed work
        disabled = []                  # detector names to switch off, e.g. ["timeout_rate"]

        # Stop a host's service when one of these detectors fires (going on would do harm): fleetctl
        # runs `agent-runner stop` on the host, then re-polls until the service reports inactive.
        [defaults.auto_stop]
        enabled = true
        on = ["oauth_fail", "disk_critical"]
        confirm_s = 30                 # how long to re-poll for the stop to show before recording a failure
        max_per_10m = 3                # fleet-wide ([defaults] only): at most this many hosts stopped per 10 min

        # A group: shared settings for its members. Hosts join with `groups = [...]`, or the group
        # lists them with `hosts = [...]`.
        [groups.edge]
        poll_interval_s = 60           # Raspberry Pis on a slow link: poll less often
        detectors = { disk_warning_pct = 80, disk_critical_pct = 90 }

        [groups.canary]
        hosts = ["pi-lab"]

        # One table per host. The table name is the host's name in fleetctl (letters, digits, . _ -).
        # Quote a name with a dot: [hosts."no02.lan"] (unquoted, TOML reads a table "lan" inside "no02").
        [hosts.pi-lab]
        ssh = "pi-lab"                 # the ~/.ssh/config alias or user@host; default: the table name
        groups = ["edge"]
        tags = ["aarch64", "lab"]

        [hosts.pi-garage]
        ssh = "agent@pi-garage.lan"
        groups = ["edge"]
        config = "/home/agent/research/agent-runner.toml"

        [hosts.build-1]
        ssh = "build-1"
        poll_interval_s = 15
        auto_stop = { enabled = false }   # this host is watched, never stopped automatically

        # Alert hooks: a command (argv, no shell) run when an alert fires, repeats or resolves. It gets
        # the alert as one JSON object on stdin and FLEET_HOST, FLEET_DETECTOR, FLEET_SEVERITY,
        # FLEET_STATE (firing|resolved), FLEET_MESSAGE, FLEET_REPEAT, FLEET_SINCE in its environment.
        # A word that is exactly {host}, {detector}, {severity}, {state}, {message} or {hint} is replaced by
        # that value as one argument ({message} ends "; hint: ..." when the alert has a fix hint);
        # placeholders inside longer words, or as a `sh -c` script, are refused.
        [[hooks]]
        name = "log"
        command = ["logger", "-t", "fleetctl", "--", "{message}"]
        on = ["firing", "resolved"]    # states, severities and/or detector names; each kind given narrows
        min_severity = "warning"       # info, warning or critical
        hosts = "all"                  # a selector: all, a host, @group, a glob; comma-separated
        timeout_s = 10                 # then the hook's whole process group is killed

        [[hooks]]
        name = "page"
        command = ["./hooks/page.sh", "{host}", "{detector}"]
        on = ["firing", "critical", "oauth_fail", "disk_critical", "monitor_remote_giveup"]
        hosts = "all"
        timeout_s = 20

        # Alertmanager delivery: `kind = "alertmanager"` posts firing and resolved alerts to
        # http://HOST:PORT/api/v2/alerts (labels alertname, host, detector, severity, group; endsAt on
        # resolve), re-posts what still fires every 60 s, retries 4 times with back-off (1, 2, 4 s) and
        # records failures as hook_failed in fleet-events-YYYY-MM.jsonl. Same on/min_severity/hosts
        # filters as command hooks; timeout_s bounds one POST (default 10). Plain http:// only.
        [[hooks]]
        kind = "alertmanager"
        url = "http://127.0.0.1:9093"
        on = ["firing", "resolved"]
        min_severity = "warning"

        # Defaults for `fleetctl upgrade` (each can be given on the command line instead).
        [upgrade]
        artifact = "dist/agent-runner-{arch}"   # {arch} = the host's `uname -m` (x86_64, aarch64)
        # Or, instead of artifact: published builds beside a SHA256SUMS (scripts/build-release writes both),
        # fetched and verified here, then pushed; needs --target X.Y.Z. A directory or an http:// URL.
        # source = "http://builds.lan/agent-runner/agent-runner-{version}-{arch}"
        canary = "@canary"             # upgraded first, alone, then baked
        batch = "25%"                  # hosts per later batch: a count ("5") or a percentage
        bake = "5m"                    # health-gate time after each stage
        max_failures = 0               # failures tolerated before the rollout stops and rolls back
        # Hosts that installed agent-runner's .deb (scripts/build-release --deb): push the package instead,
        # installed with `sudo -n dpkg -i` (a sudoers rule for the ssh user); artifact then names the .deb,
        # {arch} being the host's Debian architecture (amd64, arm64, armhf).
        # method = "deb"
        # artifact = "dist/agent-runner_0.1.0-1_{arch}.deb"

        """#
}
