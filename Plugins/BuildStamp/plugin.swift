import Foundation
import PackagePlugin

/// Stamps the build with the release line (`VERSION` at the package's root) and the commit it was
/// built from, as a Swift file the target compiles. It runs before every build; the file is
/// rewritten only when its text changes, so an unchanged checkout recompiles nothing.
@main
struct BuildStamp: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "Stamp")
        let script = """
            set -u
            root="$1"; out="$2"
            version=$(tr -d ' \\n\\r\\t' < "$root/VERSION" 2>/dev/null)
            [ -n "$version" ] || version=0.0.0
            commit="${ATELIER_BUILD_COMMIT:-}"
            if [ -z "$commit" ]; then
              commit=$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null) || commit=unknown
              if [ "$commit" != unknown ] && [ -n "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
                commit="$commit-dirty"
              fi
            fi
            case "$version$commit" in *[!A-Za-z0-9._+-]*) version=0.0.0; commit=unknown ;; esac
            mkdir -p "$out"
            text="// Written by the BuildStamp plugin at build time; not in the repository.
            let stampedVersion = \\"$version\\"
            let stampedCommit = \\"$commit\\""
            if [ ! -f "$out/BuildStamp.swift" ] || [ "$(cat "$out/BuildStamp.swift")" != "$text" ]; then
              printf '%s\\n' "$text" > "$out/BuildStamp.swift.tmp" && mv "$out/BuildStamp.swift.tmp" "$out/BuildStamp.swift"
            fi
            """
        return [
            .prebuildCommand(
                displayName: "Stamping the build with its version and commit",
                executable: URL(filePath: "/bin/sh"),
                arguments: ["-c", script, "stamp", context.package.directoryURL.path(), output.path()],
                outputFilesDirectory: output)
        ]
    }
}
