package main

import (
	"fmt"
	"strings"
)

// CompletionCmd prints a shell completion script. Every script is a thin
// wrapper that asks `azcred __complete` (complete.go) for candidates, so
// the four shells complete the same subcommands, flags, enum values and
// saved context, environment and binding names.
type CompletionCmd struct {
	Shell string `arg:"" enum:"bash,zsh,fish,pwsh" help:"bash, zsh, fish or pwsh."`
}

func (c *CompletionCmd) Run(a *app) error {
	script := map[string]string{"bash": bashCompletion, "zsh": zshCompletion, "fish": fishCompletion, "pwsh": pwshCompletion}[c.Shell]
	_, err := fmt.Fprint(a.stdout, strings.TrimLeft(script, "\n"))
	return err
}

// bash: bash splits words at = and : (COMP_WORDBREAKS), azcred wants whole
// shell words, so the line up to the cursor is split on blanks instead, and
// the part of each candidate bash already counts as another word is cut off.
const bashCompletion = `
# bash completion for azcred. Load it with:
#   source <(azcred completion bash)
# or save it as ~/.local/share/bash-completion/completions/azcred
_azcred() {
    local line="${COMP_LINE:0:COMP_POINT}"
    local -a words
    read -r -a words <<<"$line"
    local cur=""
    if [[ -n "$line" && "${line: -1}" != " " && ${#words[@]} -gt 1 ]]; then
        cur="${words[${#words[@]}-1]}"
        unset 'words[${#words[@]}-1]'
    fi
    local bashcur="${COMP_WORDS[COMP_CWORD]}"
    local strip=""
    if [[ -n "$bashcur" && "$cur" == *"$bashcur" ]]; then
        strip="${cur%"$bashcur"}"
    elif [[ -z "$bashcur" ]]; then
        strip="$cur"
    fi
    COMPREPLY=()
    local c q
    while IFS= read -r c; do
        [[ -z "$c" ]] && continue
        c="${c#"$strip"}"
        printf -v q '%q' "$c"
        COMPREPLY+=("$q")
    done < <(azcred __complete "${words[@]:1}" "$cur" 2>/dev/null)
}
complete -o default -F _azcred azcred
`

// zsh: words[2,CURRENT] is the line after "azcred" up to the word under
// the cursor, unquoted with (Q); with no candidates, files.
const zshCompletion = `
#compdef azcred
# zsh completion for azcred. Load it with:
#   source <(azcred completion zsh)
# (after compinit), or save it as _azcred in a directory on $fpath.
_azcred() {
    local -a cands
    cands=("${(@f)$(azcred __complete "${(@Q)words[2,CURRENT]}" 2>/dev/null)}")
    cands=(${cands:#})
    if (( ${#cands} )); then
        compadd -- "${cands[@]}"
    else
        _files
    fi
}
if [[ "${funcstack[1]}" == "_azcred" ]]; then
    _azcred "$@"
elif (( ${+functions[compdef]} )); then
    compdef _azcred azcred
fi
`

// fish: the current token is passed even when empty ("$cur"); with no
// candidates, paths.
const fishCompletion = `
# fish completion for azcred. Load it with:
#   azcred completion fish | source
# or save it as ~/.config/fish/completions/azcred.fish
function __azcred_complete
    set -l words (commandline -opc)
    set -e words[1]
    set -l cur (commandline -ct)
    set -l out (azcred __complete $words "$cur" 2>/dev/null)
    if test (count $out) -gt 0
        printf '%s\n' $out
    else
        __fish_complete_path "$cur"
    end
end
complete -c azcred -f -a '(__azcred_complete)'
`

// pwsh: PowerShell before 7.3 drops empty arguments to native commands,
// so an empty current word is passed as "" there. Candidates with blanks
// or quotes are inserted single-quoted.
const pwshCompletion = `
# PowerShell completion for azcred. Load it with:
#   azcred completion pwsh | Out-String | Invoke-Expression
# or add that line to $PROFILE.
Register-ArgumentCompleter -Native -CommandName @('azcred', 'azcred.exe') -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $words = @()
    foreach ($e in @($commandAst.CommandElements | Select-Object -Skip 1)) {
        if ($e.Extent.EndOffset -ge $cursorPosition) { break }
        if ($e -is [System.Management.Automation.Language.StringConstantExpressionAst]) { $words += $e.Value }
        else { $words += $e.Extent.Text }
    }
    $cur = $wordToComplete
    if ($cur -eq '' -and $PSVersionTable.PSVersion -lt [version]'7.3') { $cur = '""' }
    $words += $cur
    & azcred __complete @words 2>$null | ForEach-Object {
        $text = $_
        if ($text -match '[\s''"$(){};,]') { $text = "'" + ($text -replace "'", "''") + "'" }
        [System.Management.Automation.CompletionResult]::new($text, $_, 'ParameterValue', $_)
    }
}
`
