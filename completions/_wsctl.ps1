
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'wsctl' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'wsctl'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'wsctl' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)')
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'How status lines and events are written on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Show only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Show only errors on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('tcp', 'tcp', [CompletionResultType]::ParameterValue, 'TCP client and server')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a completion script for SHELL on stdout')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'wsctl;tcp' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)')
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'How status lines and events are written on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Show only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Show only errors on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('connect', 'connect', [CompletionResultType]::ParameterValue, 'Connect to HOST PORT (or HOST:PORT, [IPv6]:PORT) and pipe stdin/stdout through it')
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Listen on [HOST:]PORT and pipe an accepted connection through stdin/stdout')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'wsctl;tcp;connect' {
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout')
            [CompletionResult]::new('--exec', '--exec', [CompletionResultType]::ParameterName, 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting after DUR (e.g. 500ms, 10s, 2m)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)')
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'How status lines and events are written on stderr')
            [CompletionResult]::new('--echo', '--echo', [CompletionResultType]::ParameterName, 'Send back everything that arrives, instead of using stdin/stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Show only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Show only errors on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wsctl;tcp;listen' {
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout')
            [CompletionResult]::new('--exec', '--exec', [CompletionResultType]::ParameterName, 'Run CMD through `sh -c` for each connection, wired to its stdin/stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)')
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'How status lines and events are written on stderr')
            [CompletionResult]::new('--echo', '--echo', [CompletionResultType]::ParameterName, 'Send back everything that arrives, instead of using stdin/stdout')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Keep listening after a connection ends: with --echo or --exec, clients are served at once; with stdin/stdout, one after another')
            [CompletionResult]::new('--keep-open', '--keep-open', [CompletionResultType]::ParameterName, 'Keep listening after a connection ends: with --echo or --exec, clients are served at once; with stdin/stdout, one after another')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Show only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Show only errors on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wsctl;tcp;help' {
            [CompletionResult]::new('connect', 'connect', [CompletionResultType]::ParameterValue, 'Connect to HOST PORT (or HOST:PORT, [IPv6]:PORT) and pipe stdin/stdout through it')
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Listen on [HOST:]PORT and pipe an accepted connection through stdin/stdout')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'wsctl;tcp;help;connect' {
            break
        }
        'wsctl;tcp;help;listen' {
            break
        }
        'wsctl;tcp;help;help' {
            break
        }
        'wsctl;completions' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour status lines on stderr (auto: when stderr is a terminal and NO_COLOR is unset)')
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'How status lines and events are written on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more on stderr (repeat for more detail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Show only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Show only errors on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wsctl;help' {
            [CompletionResult]::new('tcp', 'tcp', [CompletionResultType]::ParameterValue, 'TCP client and server')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a completion script for SHELL on stdout')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'wsctl;help;tcp' {
            [CompletionResult]::new('connect', 'connect', [CompletionResultType]::ParameterValue, 'Connect to HOST PORT (or HOST:PORT, [IPv6]:PORT) and pipe stdin/stdout through it')
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Listen on [HOST:]PORT and pipe an accepted connection through stdin/stdout')
            break
        }
        'wsctl;help;tcp;connect' {
            break
        }
        'wsctl;help;tcp;listen' {
            break
        }
        'wsctl;help;completions' {
            break
        }
        'wsctl;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
