import FleetCore
import Monitoring
import TestSupport
import XCTest

@testable import FleetControl

final class InventoryLoaderTests: XCTestCase {
    let example = """
        [defaults]
        ssh_config = "ssh/config"
        config = "~/proj/agent-runner.toml"
        poll_interval_s = 30

        [defaults.detectors]
        disk_warning_pct = 85

        [groups.edge]
        poll_interval_s = 60
        detectors = { disk_critical_pct = 97, disabled = ["timeout_rate"] }
        auto_stop = { on = ["disk_critical"] }

        [hosts.pi]
        ssh = "pi.lan"
        groups = ["edge"]
        tags = ["arm64"]

        [hosts.big]
        config = "/srv/agent/agent-runner.toml"
        poll_interval_s = 10

        [hosts.pi2]
        groups = ["edge", "canary"]
        detectors = { disk_critical_pct = 99 }

        [[hooks]]
        name = "page"
        command = ["./notify.sh", "{host}", "{detector}"]
        min_severity = "critical"
        hosts = "@edge"

        [upgrade]
        artifact = "dist/agent-runner-{arch}"
        canary = "@canary"
        batch = "50%"
        bake = "2m"

        """

    func load(_ text: String) throws -> Inventory {
        try InventoryLoader(
            environment: ConfigEnvironment(home: "/home/op", currentDirectory: "/ops"),
            fileSystem: UntouchableFileSystem()
        )
        .parse(Array(text.utf8), path: "/ops/inventory.toml", displayPath: "inventory.toml")
    }

    func error(_ text: String) -> ConfigError? {
        do {
            _ = try load(text)
            XCTFail("expected an inventory error")
        } catch let error as ConfigError {
            return error
        } catch {
            XCTFail("unexpected \(error)")
        }
        return nil
    }

    func testCascadeDefaultsGroupsHost() throws {
        let inventory = try load(example)
        XCTAssertEqual(inventory.hosts.map(\.name), ["pi", "big", "pi2"])
        XCTAssertEqual(inventory.groups, ["edge", "canary"])
        let pi = try XCTUnwrap(inventory.host(named: "pi"))
        XCTAssertEqual(pi.sshTarget, "pi.lan")
        XCTAssertEqual(pi.settings.sshConfig, "/ops/ssh/config")
        XCTAssertEqual(
            pi.settings.remoteConfig, "~/proj/agent-runner.toml", "remote paths are kept for the remote shell")
        XCTAssertEqual(pi.settings.pollIntervalS, 60)
        XCTAssertEqual(pi.settings.detectors.diskWarningPct, 85)
        XCTAssertEqual(pi.settings.detectors.diskCriticalPct, 97)
        XCTAssertEqual(pi.settings.detectors.disabled, ["timeout_rate"])
        XCTAssertEqual(pi.settings.autoStop.on, ["disk_critical"])
        let big = try XCTUnwrap(inventory.host(named: "big"))
        XCTAssertEqual(big.sshTarget, "big")
        XCTAssertEqual(big.settings.pollIntervalS, 10)
        XCTAssertEqual(big.settings.autoStop.on, ["oauth_fail", "disk_critical"])
        XCTAssertEqual(try XCTUnwrap(inventory.host(named: "pi2")).settings.detectors.diskCriticalPct, 99)
        XCTAssertEqual(inventory.hooks.first?.minSeverity, .critical)
        XCTAssertEqual(inventory.upgrade.artifact, "/ops/dist/agent-runner-{arch}")
        XCTAssertEqual(inventory.upgrade.bakeS, 120)
    }

    func testSelectors() throws {
        let inventory = try load(example)
        XCTAssertEqual(try HostSelector.select("all", from: inventory).map(\.name), ["pi", "big", "pi2"])
        XCTAssertEqual(try HostSelector.select("@edge", from: inventory).map(\.name), ["pi", "pi2"])
        XCTAssertEqual(try HostSelector.select("pi*", exclude: ["@canary"], from: inventory).map(\.name), ["pi"])
        XCTAssertEqual(try HostSelector.select("big,pi2", from: inventory).map(\.name), ["big", "pi2"])
        XCTAssertThrowsError(try HostSelector.select("@nope", from: inventory))
        XCTAssertThrowsError(try HostSelector.select("ghost", from: inventory))
    }

    func testOptionInjectionRefused() {
        let failure = error("[hosts.evil]\nssh = \"-oProxyCommand=touch /tmp/x\"\n")
        XCTAssertEqual(failure?.key, "hosts.evil.ssh")
        XCTAssertEqual(failure?.line, 2)
        XCTAssertNotNil(error("[hosts.evil]\nssh = \"pi lan\"\n"))
        XCTAssertNotNil(error("[hosts.\"-x\"]\n"))
    }

    func testErrorsNameLineAndKey() {
        XCTAssertEqual(
            error("[hosts.a]\npoll_interval_s = \"fast\"\n")?.description,
            #"config error: inventory.toml:2: hosts.a.poll_interval_s: must be a number of seconds from 0.2 to 86400, got the string "fast""#
        )
        XCTAssertEqual(error("[hosts.a]\npol_interval_s = 3\n")?.key, "hosts.a.pol_interval_s")
        XCTAssertEqual(error("[defaults]\n")?.key, "hosts")
        XCTAssertEqual(error("[hosts.a]\ndetectors = { disabled = [\"nope\"] }\n")?.key, "hosts.a.detectors.disabled")
        XCTAssertEqual(error("[hosts.a]\n[[hooks]]\ncommand = [\"x\"]\nhosts = \"@ghosts\"\n")?.key, "hooks[0].hosts")
        XCTAssertEqual(error("[groups.g]\nhosts = [\"zz\"]\n[hosts.a]\n")?.key, "groups.g.hosts")
        XCTAssertEqual(error("[hosts.a]\n[upgrade]\nbatch = \"0%\"\n")?.key, "upgrade.batch")
    }

    func testDottedHostNamesMustBeQuotedAndArePrintedQuoted() throws {
        XCTAssertEqual(
            error("[hosts.no02.lan]\nssh = \"no02\"\n")?.description,
            #"config error: inventory.toml:1: hosts.no02.lan: [hosts.no02.lan] is read as a table inside [hosts.no02]; a name with dots must be quoted: [hosts."no02.lan"]"#
        )
        XCTAssertEqual(
            error("[hosts.a]\n[groups.edge.eu.west]\npoll_interval_s = 5\n")?.message,
            #"[groups.edge.eu.west] is read as a table inside [groups.edge]; a name with dots must be quoted: [groups."edge.eu.west"]"#
        )
        let inventory = try load("[hosts.\"no02.lan\"]\n[hosts.pi]\n")
        XCTAssertEqual(inventory.hosts.map(\.name).sorted(), ["no02.lan", "pi"])
        XCTAssertTrue(inventory.text().contains("\n[hosts.\"no02.lan\"]\n"), inventory.text())
        XCTAssertTrue(inventory.text().contains("\n[hosts.pi]\n"))
        XCTAssertEqual(
            error("[hosts.a]\n[groups.g]\nhosts = [\"zz.lan\"]\n")?.message,
            #"names 'zz.lan', which is not a [hosts."zz.lan"] table"#)
    }

    func testAReleaseSourceInsteadOfAnArtifact() throws {
        let url = try load("[hosts.a]\n[upgrade]\nsource = \"http://builds.lan/ar/agent-runner-{version}-{arch}\"\n")
        XCTAssertEqual(url.upgrade.source?.text, "http://builds.lan/ar/agent-runner-{version}-{arch}")
        XCTAssertNil(url.upgrade.artifact)
        let directory = try load("[hosts.a]\n[upgrade]\nsource = \"dist/agent-runner-{version}-{arch}\"\n")
        XCTAssertEqual(
            directory.upgrade.source?.text, "/ops/dist/agent-runner-{version}-{arch}",
            "a directory is read from the inventory's folder, like artifact")
        let both = "[hosts.a]\n[upgrade]\nartifact = \"dist/a\"\nsource = \"/b/ar-{version}\"\n"
        XCTAssertEqual(
            error(both)?.description,
            "config error: inventory.toml:4: upgrade.source: set either [upgrade] artifact (one build file) "
                + "or [upgrade] source (published builds and their SHA256SUMS), not both")
        XCTAssertEqual(
            error("[hosts.a]\n[upgrade]\nsource = \"https://b/ar-{version}\"\n")?.description,
            "config error: inventory.toml:3: upgrade.source: \(ReleaseTemplate.httpsRefusal)")
        XCTAssertEqual(
            error("[hosts.a]\n[upgrade]\nsource = \"/b/agent-runner\"\n")?.description,
            "config error: inventory.toml:3: upgrade.source: the file name must contain {version} exactly "
                + "once (SHA256SUMS beside the builds lists every version)")
    }

    func testAlertmanagerHooks() throws {
        let inventory = try load(
            "[hosts.a]\n[[hooks]]\nkind = \"alertmanager\"\nurl = \"http://127.0.0.1:9093\"\non = [\"critical\"]\n")
        XCTAssertEqual(inventory.hooks.first?.alertmanagerURL, "http://127.0.0.1:9093")
        XCTAssertEqual(inventory.hooks.first?.command, [])
        XCTAssertEqual(inventory.hooks.first?.name, "alertmanager")
        XCTAssertEqual(inventory.hooks.first?.timeoutS, 10)
        XCTAssertEqual(error("[hosts.a]\n[[hooks]]\nkind = \"alertmanager\"\n")?.key, "hooks[0]")
        let https = error("[hosts.a]\n[[hooks]]\nkind = \"alertmanager\"\nurl = \"https://am:9093\"\n")
        XCTAssertEqual(https?.key, "hooks[0].url")
        XCTAssertEqual(https?.line, 4)
        XCTAssertEqual(
            error("[hosts.a]\n[[hooks]]\nkind = \"alertmanager\"\nurl = \"http://am:9093\"\ncommand = [\"x\"]\n")?.key,
            "hooks[0].command")
        XCTAssertEqual(error("[hosts.a]\n[[hooks]]\nkind = \"pager\"\ncommand = [\"x\"]\n")?.key, "hooks[0].kind")
        XCTAssertNil(
            try load("[hosts.a]\n[[hooks]]\nkind = \"command\"\ncommand = [\"x\"]\n").hooks.first?.alertmanagerURL)
    }

    func testExampleInventoryFileIsValid() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent("inventory.example.toml").path
        let inventory = try InventoryLoader(
            environment: ConfigEnvironment(home: "/home/op", currentDirectory: root.path), fileSystem: LocalFileSystem()
        )
        .load(path: path)
        XCTAssertFalse(inventory.hosts.isEmpty)
        XCTAssertEqual(inventory.hooks.compactMap(\.alertmanagerURL), ["http://127.0.0.1:9093"])
    }

    /// `fleetctl init-inventory` writes the copy built into fleetctl: it must be the file itself.
    func testExampleInventoryIsShippedVerbatim() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let file = try String(contentsOf: root.appendingPathComponent("inventory.example.toml"), encoding: .utf8)
        XCTAssertEqual(
            ExampleInventory.text, file,
            "Sources/fleetctl/Core/Inventory/ExampleInventory.swift must hold inventory.example.toml verbatim; copy it there"
        )
    }

    func testBatchSizes() {
        XCTAssertEqual(BatchSize("25%")?.hosts(outOf: 10), 3)
        XCTAssertEqual(BatchSize("5")?.hosts(outOf: 3), 5)
        XCTAssertNil(BatchSize("0"))
        XCTAssertNil(BatchSize("101%"))
    }
}

final class InventoryFleetKeysTests: XCTestCase {
    func load(_ text: String) throws -> Inventory {
        try InventoryLoader(
            environment: ConfigEnvironment(home: "/home/op", currentDirectory: "/ops"),
            fileSystem: UntouchableFileSystem()
        )
        .parse(Array(text.utf8), path: "/ops/inventory.toml", displayPath: "inventory.toml")
    }

    func error(_ text: String) -> ConfigError? {
        do {
            _ = try load(text)
        } catch let error as ConfigError {
            return error
        } catch {}
        return nil
    }

    func testAlertingAutoStopAndStateKeys() throws {
        let inventory = try load(
            """
            [defaults]
            state_dir = "~/fleet-state"
            alert_for_s = 60
            alert_repeat_s = 0
            [defaults.auto_stop]
            max_per_10m = 5
            confirm_s = 12
            [groups.edge]
            alert_for_s = 120
            [hosts.pi]
            groups = ["edge"]
            [hosts.big]
            [[hooks]]
            command = ["./page", "{host}", "{message}"]
            on = ["firing", "critical", "oauth_fail", "monitor_remote_giveup"]
            """)
        XCTAssertEqual(inventory.fleet.stateDir, "/home/op/fleet-state")
        XCTAssertEqual(inventory.fleet.autoStopMaxPer10Minutes, 5)
        XCTAssertEqual(inventory.host(named: "pi")?.settings.alertForS, 120)
        XCTAssertEqual(inventory.host(named: "big")?.settings.alertForS, 60)
        XCTAssertEqual(inventory.host(named: "big")?.settings.alertRepeatS, 0)
        XCTAssertEqual(inventory.host(named: "big")?.settings.autoStop.confirmS, 12)
        let hook = try XCTUnwrap(inventory.hooks.first)
        XCTAssertEqual(hook.on, [.firing])
        XCTAssertEqual(hook.severities, [.critical])
        XCTAssertEqual(hook.detectors, ["oauth_fail", "monitor_remote_giveup"])
        XCTAssertEqual(hook.minSeverity, .info, "listing severities replaces the default minimum")
    }

    func testUnsafeOrMisplacedKeysAreRefused() {
        XCTAssertEqual(error("[hosts.a]\nauto_stop = { max_per_10m = 1 }\n")?.key, "hosts.a.auto_stop.max_per_10m")
        XCTAssertEqual(error("[defaults]\nbogus = 1\n[hosts.a]\n")?.key, "defaults.bogus")
        let inside = error("[hosts.a]\n[[hooks]]\ncommand = [\"logger\", \"{host}: {message}\"]\n")
        XCTAssertEqual(inside?.key, "hooks[0].command")
        XCTAssertTrue(inside?.message.contains("whole words") ?? false, inside?.message ?? "")
        XCTAssertEqual(
            error("[hosts.a]\n[[hooks]]\ncommand = [\"sh\", \"-c\", \"{message}\"]\n")?.key, "hooks[0].command")
        XCTAssertEqual(error("[hosts.a]\n[[hooks]]\ncommand = [\"x\"]\non = [\"sometimes\"]\n")?.key, "hooks[0].on")
        XCTAssertNotNil(error("[hosts.a]\npoll_interval_s = 0.1\n"))
        XCTAssertNil(error("[hosts.a]\npoll_interval_s = 0.5\n"))
    }
}
