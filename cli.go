package main

import "github.com/alecthomas/kong"

// CLI is the whole command grammar. Each command's Run lives in the
// cmd_*.go file named after it.
type CLI struct {
	Debug   bool             `help:"Log what azcred does to stderr (secrets redacted). Also AZCRED_DEBUG=1."`
	Version kong.VersionFlag `help:"Print the version and exit." hidden:""`

	Login        LoginCmd        `cmd:"" help:"Sign in and save a context (Connect-AzAccount)."`
	Logout       LogoutCmd       `cmd:"" help:"Sign out: remove an account's tokens and contexts (Disconnect-AzAccount)."`
	Context      ContextCmd      `cmd:"" help:"List, show, select, rename, remove, save and import contexts."`
	Autosave     AutosaveCmd     `cmd:"" help:"Show, enable or disable saving contexts and tokens."`
	Subscription SubscriptionCmd `cmd:"" help:"List the subscriptions a context can see (Get-AzSubscription)."`
	Environment  EnvironmentCmd  `cmd:"" help:"List, add or remove Azure environments (clouds)."`
	Bind         BindCmd         `cmd:"" help:"Pin a URL, registry or cluster to a context: bind TARGET CONTEXT, bind list."`
	Lock         LockCmd         `cmd:"" help:"Forget the vault key cached for this login session: the next call asks the keyring again."`
	Unbind       UnbindCmd       `cmd:"" help:"Remove a binding."`
	Token        TokenCmd        `cmd:"" help:"Print an access token (az account get-access-token)."`
	Git          GitCmd          `cmd:"" help:"git credential helper (git runs it as git-credential-azcred)."`
	Kube         KubeCmd         `cmd:"" help:"kubectl exec credential plugin."`
	Docker       DockerCmd       `cmd:"" help:"Docker credential helper (docker runs it as docker-credential-azcred)."`
	Aks          AksCmd          `cmd:"" help:"List AKS clusters and merge their kubeconfigs (az aks list, az aks get-credentials)."`
	Cargo        CargoCmd        `cmd:"" help:"cargo credential provider for Azure Artifacts (credential-provider = \"azcred cargo\")."`
	Keyring      KeyringCmd      `cmd:"" passthrough:"" help:"keyring get URL USER for pip and uv --keyring-provider subprocess (Azure Artifacts)."`
	Install      InstallCmd      `cmd:"" help:"Configure git, kubectl or docker to use azcred."`
	Doctor       DoctorCmd       `cmd:"" help:"Explain azcred's state and how to fix problems."`
	Completion   CompletionCmd   `cmd:"" help:"Print a shell completion script."`
	Versioncmd   VersionCmd      `cmd:"" name:"version" help:"Print the version."`
	Complete     CompleteCmd     `cmd:"" name:"__complete" hidden:"" passthrough:"" help:"Print completion candidates for the shell scripts."`
}

// outputFlag is --output for commands that print data.
type outputFlag struct {
	Output string `short:"o" help:"Output format: table or json." enum:"table,json" default:"table"`
}
