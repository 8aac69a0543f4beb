package limits

import (
	"bytes"
	"fmt"
	"os"
	"time"

	"github.com/gapd/gapd/wire"
	"gopkg.in/yaml.v3"
)

// Config is the operator's budget table (-limits PATH, YAML). Every key is
// optional; what a file leaves out keeps its default (Defaults).
type Config struct {
	// Off turns every rate and sign-up budget off (-limits none), for load
	// tests. Connection caps are not part of it.
	Off bool `yaml:"-"`
	// ExemptLoopback lets 127.0.0.0/8 and ::1 through unlimited before
	// login. Off by default: a proxy on the same host would otherwise make
	// every client unlimited.
	ExemptLoopback bool `yaml:"exempt_loopback"`
	// Classes maps a class name (read, write, expensive, verify, signup) to
	// its rate per user, or per address before login.
	Classes map[wire.Class]Rate `yaml:"classes"`
	// SignUp are the budgets of verification codes sent (UserRegister).
	SignUp SignUpBudgets `yaml:"signup"`
	// Codes is the verification code policy; package config maps it onto
	// handlers.CodePolicy, whose defaults fill the keys left out.
	Codes Codes `yaml:"codes"`
}

// Codes are the keys of the `codes:` section: how codes are made and how
// hard they are to guess or to spam (handlers.CodePolicy says what each
// does and checks the values). It is not turned off by "none": it guards
// accounts, not the server's capacity.
type Codes struct {
	Digits        int           `yaml:"digits"`
	Lifetime      time.Duration `yaml:"lifetime"`
	MaxTries      int           `yaml:"max_tries"`
	TryLock       time.Duration `yaml:"try_lock"`
	MaxTryLock    time.Duration `yaml:"max_try_lock"`
	DailyFailures int           `yaml:"daily_failures"`
	MaxSends      int           `yaml:"max_sends"`
	SendWindow    time.Duration `yaml:"send_window"`
	DailySends    int           `yaml:"daily_sends"`
	Reservation   time.Duration `yaml:"reservation"`
}

// SignUpBudgets bound the codes sent, which cost the operator an SMS each.
// (Codes per phone number are bounded with the account: handlers.CodePolicy.)
type SignUpBudgets struct {
	PerAddress Rate `yaml:"per_address"`
	PerCountry Rate `yaml:"per_country"`
	Total      Rate `yaml:"total"`
}

// Defaults is the budget table gapd runs with unless told otherwise: a
// person using any client never meets it, a script does.
func Defaults() Config {
	return Config{
		Classes: map[wire.Class]Rate{
			wire.ClassRead:      {Count: 300, Per: time.Minute, Burst: 100},
			wire.ClassWrite:     {Count: 120, Per: time.Minute, Burst: 60},
			wire.ClassExpensive: {Count: 20, Per: time.Minute, Burst: 10},
			wire.ClassVerify:    {Count: 10, Per: time.Minute, Burst: 5},
			wire.ClassSignup:    {Count: 10, Per: time.Minute, Burst: 5},
		},
		SignUp: SignUpBudgets{
			PerAddress: Rate{Count: 10, Per: time.Hour, Burst: 5},
			PerCountry: Rate{Count: 2000, Per: time.Hour, Burst: 200},
			Total:      Rate{Count: 10000, Per: time.Hour, Burst: 1000},
		},
	}
}

// Load reads the operator's -limits value: "" is Defaults, "none" turns
// budgets off, anything else is a YAML file whose keys replace defaults.
func Load(path string) (Config, error) {
	cfg := Defaults()
	switch path {
	case "":
		return cfg, nil
	case "none":
		cfg.Off = true
		return cfg, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, err
	}
	var file Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&file); err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	cfg.ExemptLoopback = file.ExemptLoopback
	cfg.Codes = file.Codes
	for c, r := range file.Classes {
		cfg.Classes[c] = r
	}
	for _, b := range []struct {
		from Rate
		to   *Rate
	}{{file.SignUp.PerAddress, &cfg.SignUp.PerAddress}, {file.SignUp.PerCountry, &cfg.SignUp.PerCountry},
		{file.SignUp.Total, &cfg.SignUp.Total}} {
		if b.from != (Rate{}) {
			*b.to = b.from
		}
	}
	return cfg, cfg.check(path)
}

// check refuses a rate that would refuse everything or make no sense.
func (c Config) check(path string) error {
	rates := map[string]Rate{"signup.per_address": c.SignUp.PerAddress,
		"signup.per_country": c.SignUp.PerCountry, "signup.total": c.SignUp.Total}
	for class, r := range c.Classes {
		rates["classes."+class.String()] = r
	}
	for name, r := range rates {
		switch {
		case r.Count < 0 || r.Per < 0 || r.Burst < 0:
			return fmt.Errorf("%s: %s: negative value", path, name)
		case !r.off() && r.Burst < 1:
			return fmt.Errorf("%s: %s: burst must be at least 1 (count 0 turns the budget off)", path, name)
		case !r.off() && r.interval() <= 0:
			return fmt.Errorf("%s: %s: count %d per %v is finer than a nanosecond", path, name, r.Count, r.Per)
		}
	}
	return nil
}
