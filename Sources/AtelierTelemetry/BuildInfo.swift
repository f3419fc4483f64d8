/// Which build of Atelier this is: the release line it belongs to and the commit it was built from.
/// The `atelier` program makes it from what the build stamped (`AtelierVersion`); a build that
/// stamped nothing (the tests' harness) is `development`.
public struct BuildInfo: Sendable, Hashable, CustomStringConvertible {
    /// The version this instance says it runs: the stamped one, or `ATELIER_VERSION` when set (a
    /// canary of the same binary under another name).
    public var version: String
    /// The commit the binary was built from (`-dirty` when the checkout had uncommitted changes),
    /// or `unknown` when it was built outside a git checkout without `ATELIER_BUILD_COMMIT`.
    public var commit: String

    public init(version: String, commit: String) {
        self.version = version
        self.commit = commit
    }

    /// A build that was not stamped.
    public static let development = BuildInfo(version: "0.0.0-dev", commit: "unknown")

    /// The same build under the name `version` (from `ATELIER_VERSION`), when one is given.
    public func named(_ version: String?) -> BuildInfo {
        guard let version else { return self }
        return BuildInfo(version: version, commit: commit)
    }

    /// Whether `text` can name a version (it goes into metrics labels and log lines as is): 1 to 64
    /// letters, digits, dots, dashes, pluses or underscores.
    public static func isValidVersion(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64
            && text.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2E || byte == 0x2D || byte == 0x2B || byte == 0x5F
            }
    }

    /// `0.15.0 (commit 1a2b3c4d5e6f)`.
    public var description: String { "\(version) (commit \(commit))" }
}
