package main

import "github.com/seamsso/seam/internal/events"

// cliOrigin is the source and actor of the changes an operator command
// makes: they appear in the events log as operator.<object>.<action> by
// the CLI.
func cliOrigin() events.Origin {
	return events.Origin{Source: events.SourceOperator, Actor: events.Actor{Type: events.ActorCLI}}
}
