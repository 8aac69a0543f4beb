package main

import (
	"fmt"
)

// header is the comment at the top of spec/errors.yaml.
const header = `The error catalogue of the seed (../shared/seed/errors.md), one entry per error,
in the seed's order. Written by tools/seedimport from the seed and the action index
of ../shared/protocol/README.md. The minor ids and star_minor (the minor code a "*"
row is sent with, 0 unless stated) are curated here: edit them in this
file and re-run ` + "`go run ./tools/seedimport`" + ` to re-import; an id is kept while its
error code and minor code stay in the seed. Everything else is read from the seed on
each run, so change it there (or in the importer), not here.`

// buildCatalogue turns the seed into catalogue entries. index is the protocol
// README (for its action index); curated holds the minor ids to keep, by
// error code and minor code (nil for none).
func buildCatalogue(seed, index []byte, curated map[int]map[int]string) ([]Error, error) {
	names, err := parseIndex(index)
	if err != nil {
		return nil, err
	}
	ix := newActionIndex(names)
	parsed, err := parseSeed(seed)
	if err != nil {
		return nil, err
	}
	list := make([]Error, 0, len(parsed))
	for _, se := range parsed {
		e := se.Error
		if e.Action, err = ix.actionFor(se); err != nil {
			return nil, err
		}
		e.Correction = ix.correctionFor(se, e.Action)
		if err := assignIDs(&e, curated[e.Code]); err != nil {
			return nil, fmt.Errorf("seed line %d: %w", se.Line, err)
		}
		list = append(list, e)
	}
	return list, nil
}

// importSeed is buildCatalogue followed by rendering: the bytes of
// spec/errors.yaml. merge is the current catalogue (nil for none).
func importSeed(seed, index, merge []byte) ([]byte, error) {
	var curated map[int]map[int]string
	var starMinors map[int]int
	if merge != nil {
		var err error
		if curated, err = curatedIDs(merge); err != nil {
			return nil, fmt.Errorf("merge: %w", err)
		}
		if starMinors, err = curatedStarMinors(merge); err != nil {
			return nil, fmt.Errorf("merge: %w", err)
		}
	}
	list, err := buildCatalogue(seed, index, curated)
	if err != nil {
		return nil, err
	}
	for i := range list {
		if m, ok := starMinors[list[i].Code]; ok && list[i].Star != nil {
			list[i].StarMinor = m
		}
	}
	return marshalCatalogue(header, list)
}
