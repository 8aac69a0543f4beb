package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"gopkg.in/yaml.v3"
)

// readCatalogue decodes a catalogue file (errors.yaml or errors-later.yaml),
// refusing unknown keys.
func readCatalogue(src []byte) ([]Error, error) {
	var list []Error
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(&list); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return list, nil
}

// curatedIDs returns the minor ids of an existing catalogue, by error code and
// minor code. These win over the ids derived from the seed's details.
func curatedIDs(src []byte) (map[int]map[int]string, error) {
	list, err := readCatalogue(src)
	if err != nil {
		return nil, err
	}
	ids := map[int]map[int]string{}
	for _, e := range list {
		for _, m := range e.Minors {
			if m.ID == "" {
				continue
			}
			if ids[e.Code] == nil {
				ids[e.Code] = map[int]string{}
			}
			if _, dup := ids[e.Code][m.Code]; dup {
				return nil, fmt.Errorf("error %d lists minor %d twice", e.Code, m.Code)
			}
			ids[e.Code][m.Code] = m.ID
		}
	}
	return ids, nil
}

// curatedStarMinors returns the star_minor of each error of an existing
// catalogue that has one. The seed's "*" row says nothing about the number
// sent with it; where clients need a particular one (LOGIN_REQUIRED is sent
// with 1), a maintainer states it in the catalogue and the importer keeps it.
func curatedStarMinors(src []byte) (map[int]int, error) {
	list, err := readCatalogue(src)
	if err != nil {
		return nil, err
	}
	out := map[int]int{}
	for _, e := range list {
		if e.StarMinor != 0 {
			out[e.Code] = e.StarMinor
		}
	}
	return out, nil
}
