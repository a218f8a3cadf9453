// swift-tools-version:6.0
//
// One package, two programs: `agent-runner` (one per host, a restart-on-exit supervisor for AI
// coding CLIs) and `fleetctl` (run from an operator machine, watches and steers many hosts over
// the system ssh). No package dependencies by design: the standard library, FoundationEssentials,
// Glibc, Dispatch and Synchronization only, so the static binaries stay small and start fast.
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "agent-fleet",
    products: [
        .executable(name: "agent-runner", targets: ["agent-runner"]),
        .executable(name: "fleetctl", targets: ["fleetctl"]),
        .library(name: "FleetCore", targets: ["FleetCore"]),
    ],
    targets: [
        .target(name: "FleetCore", swiftSettings: strict),
        .target(name: "Detectors", dependencies: ["FleetCore"], swiftSettings: strict),
        .target(name: "SSHTransport", dependencies: ["FleetCore"], swiftSettings: strict),
        // The supervisor's logic, testable without spawning the binary.
        .target(
            name: "AgentRunnerCore",
            dependencies: ["FleetCore", "Detectors"],
            path: "Sources/agent-runner/Core",
            swiftSettings: strict
        ),
        // fleetctl's logic: polling over ssh, per-host alert state, hooks, auto-stop, fleet verbs.
        // agent-runner's `monitor --host` runs the same poller and alert state.
        .target(
            name: "FleetControl",
            dependencies: ["FleetCore", "Detectors", "SSHTransport"],
            path: "Sources/fleetctl/Core",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "agent-runner",
            dependencies: ["FleetCore", "Detectors", "AgentRunnerCore", "SSHTransport", "FleetControl"],
            path: "Sources/agent-runner/CLI",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "fleetctl",
            dependencies: ["FleetCore", "Detectors", "SSHTransport", "FleetControl"],
            path: "Sources/fleetctl/CLI",
            swiftSettings: strict
        ),
        // Benchmarks: `swift build -c release && swift run -c release fleet-bench [SCENARIO]`.
        .executableTarget(
            name: "fleet-bench",
            dependencies: ["FleetCore", "Detectors", "SSHTransport", "FleetControl"],
            swiftSettings: strict
        ),
        .testTarget(name: "FleetCoreTests", dependencies: ["FleetCore"]),
        .testTarget(name: "AgentRunnerCoreTests", dependencies: ["AgentRunnerCore", "FleetCore", "Detectors"]),
        // Unit tests plus end-to-end tests against a real sshd on loopback (Support/LoopbackSSHD).
        .testTarget(name: "SSHTransportTests", dependencies: ["SSHTransport", "FleetCore"]),
        .testTarget(name: "DetectorsTests", dependencies: ["Detectors", "FleetCore"]),
        // Unit tests of FleetControl plus poller tests against a real sshd on loopback
        // (Support/LoopbackSSHD.swift is a symlink to the SSHTransportTests fixture).
        .testTarget(name: "FleetControlTests", dependencies: ["FleetControl", "Detectors", "SSHTransport", "FleetCore"]),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["FleetCore", "Detectors"],
            // Scripts the tests install by path (#filePath), not resources.
            exclude: ["Fixtures"]
        ),
    ]
)
