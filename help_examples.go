package main

// Examples shown by `azcred COMMAND --help`: kong prints a command's
// Help() (its detail) below the one-line help tag. help_test.go parses
// every example line with the real grammar, so an example cannot drift
// from the flags it uses.

import "strings"

// examples formats lines as the Examples section of a command's help.
func examples(lines ...string) string {
	return "Examples:\n\n  " + strings.Join(lines, "\n  ")
}

// Help is the detail of `azcred --help`: the exit statuses scripts rely on.
func (CLI) Help() string {
	return `Exit status:

    0  success
    1  error; for doctor, a problem was found
    2  usage error: an unknown command or flag, a bad value

Protocol commands keep their caller's rules: git exits 0 for requests that are not azcred's and 1 when it cannot get a token; docker prints "credentials not found in native keychain" and exits 1 for registries that are not azcred's; kube exits 1 on failure; cargo gets every failure as a protocol reply (exit 0); keyring, as pip and uv run it, exits 1 with nothing on stdout for URLs that are not azcred's. With autosave off, commands that change state exit 0 and say on stderr that nothing was saved.

Nothing is printed in color (so NO_COLOR always holds). --output json is there wherever a command lists things.

` + examples(
		"azcred login --device-code",
		"azcred context list",
		"azcred install git",
		"azcred doctor",
	)
}

func (*LoginCmd) Help() string {
	return examples(
		"azcred login --device-code --name work",
		"azcred login --browser --tenant contoso.onmicrosoft.com --subscription 'Contoso Dev'",
		"azcred login --service-principal --tenant TENANT --client-id ID --secret-stdin < secret.txt",
		"azcred login --service-principal --tenant TENANT --client-id ID --federated-token-file token.jwt",
		"azcred login --managed-identity --client-id ID",
		"azcred login --device-code --scope process --shell sh",
	)
}

func (*LogoutCmd) Help() string {
	return examples("azcred logout --context work", "azcred logout --account alice@contoso.example", "azcred logout --all")
}

func (*ContextCmd) Help() string {
	return examples("azcred context list", "azcred context select work", "azcred context show --output json")
}

func (*ContextListCmd) Help() string {
	return examples("azcred context list", "azcred context list --output json")
}

func (*ContextShowCmd) Help() string {
	return examples("azcred context show", "azcred context show work --output json")
}

func (*ContextSetCmd) Help() string {
	return examples("azcred context set --subscription 'Contoso Prod' --name prod", "azcred context set --subscription SUB-ID --scope process")
}

func (*ContextSelectCmd) Help() string {
	return examples("azcred context select work", "azcred context select prod --scope process --shell fish")
}

func (*ContextRenameCmd) Help() string {
	return examples("azcred context rename 'Contoso Dev (SUB-ID) - TENANT - alice@contoso.example' dev")
}

func (*ContextRemoveCmd) Help() string { return examples("azcred context remove dev") }

func (*ContextClearCmd) Help() string { return examples("azcred context clear") }

func (*ContextSaveCmd) Help() string {
	return examples("azcred context save contexts.json", "azcred context save work.json work --with-tokens")
}

func (*ContextImportCmd) Help() string {
	return examples("azcred context import ~/.azure", "azcred context import ~/.Azure/AzureRmContext.json", "azcred context import ~/.azure/azureProfile.json")
}

func (*AutosaveCmd) Help() string {
	return examples("azcred autosave", "azcred autosave disable", "azcred autosave disable --scope process")
}

func (*SubscriptionCmd) Help() string {
	return examples("azcred subscription list", "azcred subscription list --context work --output json")
}

func (*SubscriptionListCmd) Help() string {
	return examples("azcred subscription list --tenant TENANT", "azcred subscription list --output json")
}

func (*EnvironmentCmd) Help() string {
	return examples("azcred environment list", "azcred environment add Stack --authority https://login.stack.example/ --resource-manager https://management.stack.example/")
}

func (*EnvListCmd) Help() string {
	return examples("azcred environment list", "azcred environment list --output json")
}

func (*EnvAddCmd) Help() string {
	return examples("azcred environment add Stack --authority https://login.stack.example/ --resource-manager https://management.stack.example/ --registry-suffix azurecr.stack.example")
}

func (*EnvRemoveCmd) Help() string { return examples("azcred environment remove Stack") }

func (*BindCmd) Help() string {
	return examples(
		"azcred bind https://dev.azure.com/fabrikam fabrikam-work",
		"azcred bind contoso.azurecr.io work",
		"azcred bind https://aks2.example:443 work --oauth-scope SERVER-ID/.default --tenant TENANT",
		"azcred bind list --output json",
	)
}

func (*BindSetCmd) Help() string {
	return examples("azcred bind https://dev.azure.com/fabrikam fabrikam-work")
}

func (*BindListCmd) Help() string {
	return examples("azcred bind list", "azcred bind list --output json")
}

func (*UnbindCmd) Help() string { return examples("azcred unbind https://dev.azure.com/fabrikam") }

func (*LockCmd) Help() string { return examples("azcred lock") }

func (*TokenCmd) Help() string {
	return examples(
		"azcred token",
		"azcred token --resource https://vault.azure.net --output raw",
		"azcred token --oauth-scope 499b84ac-1321-427f-aa17-267ca6975798/.default --context work",
	)
}

func (*GitCmd) Help() string {
	return `git runs this as git-credential-azcred; set it up with 'azcred install git'.

` + examples(
		"azcred install git",
		"git config --global credential.https://dev.azure.com.helper 'azcred --context work'",
		"printf 'protocol=https\\nhost=dev.azure.com\\npath=contoso/proj/_git/repo\\n' | azcred git get",
	)
}

func (*KubeCmd) Help() string {
	return `kubectl runs this from a kubeconfig exec block; write one with 'azcred install kube'.

` + examples("azcred install kube", "azcred kube --server-id 6dae42f8-4368-4678-94ff-3960e28e3630")
}

func (*DockerCmd) Help() string {
	return `docker, crane, skopeo, podman, helm and oras run this as docker-credential-azcred; set it up with 'azcred install docker'.

` + examples("azcred install docker --registry contoso.azurecr.io", "echo contoso.azurecr.io | azcred docker get", "azcred docker list")
}

func (*InstallCmd) Help() string {
	return examples("azcred install git", "azcred install kube", "azcred install docker --all-registries", "azcred install pip", "azcred install cargo --registry contoso")
}

func (*InstallGitCmd) Help() string {
	return examples("azcred install git", "azcred install git --url https://dev.azure.com/contoso --local", "azcred install git --uninstall")
}

func (*AksCmd) Help() string {
	return examples("azcred aks list", "azcred aks get-credentials -g rg-aks -n aks1")
}

func (*AksListCmd) Help() string {
	return examples("azcred aks list", "azcred aks list --subscription 'Contoso Prod' --output json", "azcred aks list --all-subscriptions")
}

func (*AksGetCredentialsCmd) Help() string {
	return examples(
		"azcred aks get-credentials --resource-group rg-aks --name aks1",
		"azcred aks get-credentials -g rg-aks -n aks1 --context prod --overwrite-existing",
		"azcred aks get-credentials -g rg-fab -n aks3 --azcred-context fabrikam",
		"azcred aks get-credentials -g rg-aks -n aks1 --file - > aks1.kubeconfig",
	)
}

func (*InstallKubeCmd) Help() string {
	return examples("azcred install kube --dry-run", "azcred install kube --context aks1 --azcred-context work")
}

func (*InstallDockerCmd) Help() string {
	return examples("azcred install docker --registry contoso.azurecr.io", "azcred install docker --all-registries --context work", "azcred install docker --uninstall")
}

func (*DoctorCmd) Help() string {
	return `Exits 1 when it finds a problem; never prints a token or secret; touches the network only with --online.

` + examples("azcred doctor", "azcred doctor --output json", "azcred doctor --online")
}

func (*CompletionCmd) Help() string {
	return examples(
		"source <(azcred completion bash)",
		"source <(azcred completion zsh)",
		"azcred completion fish | source",
		"azcred completion pwsh | Out-String | Invoke-Expression",
	)
}

func (*VersionCmd) Help() string { return examples("azcred version", "azcred version --output json") }

func (*CargoCmd) Help() string {
	return `cargo runs this for registries whose credential-provider is "azcred cargo" (cargo adds --cargo-plugin and sends the rest of the setting in its requests); set it up with 'azcred install cargo'. Azure Artifacts feeds (pkgs.dev.azure.com/ORG, ORG.pkgs.visualstudio.com) and bound URLs get a token; every other registry gets url-not-supported, so cargo asks its next provider.

` + examples("azcred install cargo --registry contoso", `echo '{"v":1,"registry":{"index-url":"sparse+https://pkgs.dev.azure.com/contoso/_packaging/crates/Cargo/index/"},"kind":"get","operation":"read"}' | azcred cargo --cargo-plugin`)
}

func (*KeyringCmd) Help() string {
	return `pip and uv with --keyring-provider subprocess run 'keyring get URL USER'; azcred invoked as keyring is this command, and 'azcred install pip' links it. Azure Artifacts feeds and bound URLs get a token on stdout; any other URL exits 1 with nothing printed.

` + examples("azcred keyring get https://pkgs.dev.azure.com/contoso/_packaging/pypi-feed/pypi/simple/ azcred", "azcred install pip")
}

func (*InstallPipCmd) Help() string {
	return examples("azcred install pip", "azcred install pip --dir ~/bin/azcred-keyring", "azcred install pip --uninstall")
}

func (*InstallCargoCmd) Help() string {
	return examples("azcred install cargo --registry contoso", "azcred install cargo", "azcred install cargo --registry contoso --uninstall")
}
