package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/gapd/gapd/generated/dispatch"
	"github.com/gapd/gapd/generated/pb"
	"github.com/gapd/gapd/wire"
	"github.com/gapd/gapd/wsclient"
)

// codeBook follows the file that gapd's file verify sender appends to
// (-verify-sender file:PATH) and hands each code to whoever waits for its
// username, the way an SMS would reach a phone.
type codeBook struct {
	path    string
	mu      sync.Mutex
	codes   map[string]uint32
	waiters map[string]chan uint32
}

func newCodeBook(path string) *codeBook {
	return &codeBook{path: path, codes: map[string]uint32{}, waiters: map[string]chan uint32{}}
}

// follow reads new lines as they are written until ctx ends.
func (b *codeBook) follow(ctx context.Context) {
	var f *os.File
	for f == nil {
		var err error
		if f, err = os.Open(b.path); err != nil {
			select {
			case <-ctx.Done():
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}
	defer f.Close()
	r := bufio.NewReader(f)
	var partial []byte
	for {
		line, err := r.ReadBytes('\n')
		partial = append(partial, line...)
		if err == io.EOF {
			select {
			case <-ctx.Done():
				return
			case <-time.After(2 * time.Millisecond):
			}
			continue
		}
		if err != nil {
			fatalf("reading codes: %v", err)
		}
		var v struct{ Username, Code string }
		if json.Unmarshal(partial, &v) == nil && v.Username != "" {
			n, _ := strconv.ParseUint(v.Code, 10, 32)
			b.put(v.Username, uint32(n))
		}
		partial = partial[:0]
	}
}

func (b *codeBook) put(username string, code uint32) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if ch := b.waiters[username]; ch != nil {
		delete(b.waiters, username)
		ch <- code
		return
	}
	b.codes[username] = code
}

func (b *codeBook) wait(ctx context.Context, username string) (uint32, error) {
	b.mu.Lock()
	if c, ok := b.codes[username]; ok {
		delete(b.codes, username)
		b.mu.Unlock()
		return c, nil
	}
	ch := make(chan uint32, 1)
	b.waiters[username] = ch
	b.mu.Unlock()
	select {
	case c := <-ch:
		return c, nil
	case <-ctx.Done():
		return 0, fmt.Errorf("no code for %s: %w", username, ctx.Err())
	}
}

// user is a signed-up account: what a device keeps after sign-up.
type user struct {
	phone uint64
	id    uint64
	token string
}

// phoneOf numbers the load generator's users as Iranian mobiles
// (+98 912 ...), which every validator accepts.
func phoneOf(i int) uint64 { return 9120000000 + uint64(i) }

// signUp runs the real flow for one phone on its own connection:
// UserRegister, the code from the sender's file, UserVerify, UserLogin.
func signUp(ctx context.Context, url string, book *codeBook, phone uint64) (user, error) {
	conn, err := dial(ctx, url)
	if err != nil {
		return user{}, err
	}
	defer conn.Close()
	c := conn.Client()
	reg, err := c.UserRegister(ctx, &pb.UserRegister{PhoneNumber: phone, CountryCode: "IR"})
	if err != nil {
		return user{}, fmt.Errorf("UserRegister: %w", err)
	}
	code, err := book.wait(ctx, reg.Username)
	if err != nil {
		return user{}, err
	}
	v, err := c.UserVerify(ctx, &pb.UserVerify{Username: reg.Username, Code: code})
	if err != nil {
		return user{}, fmt.Errorf("UserVerify: %w", err)
	}
	if _, err := c.UserLogin(ctx, &pb.UserLogin{Token: v.Token}); err != nil {
		return user{}, fmt.Errorf("UserLogin: %w", err)
	}
	return user{phone: phone, id: reg.UserId, token: v.Token}, nil
}

// signUpMany signs up n users with the given concurrency.
func signUpMany(url string, book *codeBook, first, n, workers int) ([]user, error) {
	users := make([]user, n)
	err := parallel(n, workers, func(i int) error {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		u, err := signUp(ctx, url, book, phoneOf(first+i))
		users[i] = u
		return err
	})
	return users, err
}

func dial(ctx context.Context, url string) (*wsclient.Conn, error) { return dialWith(ctx, url, nil) }

// dialWith dials, and secures the connection when sec is set (the
// protocol's AES-CBC frames after an RSA key exchange).
func dialWith(ctx context.Context, url string, sec *wsclient.Secure) (*wsclient.Conn, error) {
	return wsclient.Dial(ctx, url, wsclient.Options{PushBuffer: 4096, Secure: sec})
}

// online is a logged-in connection of a user.
type online struct {
	u    user
	conn *wsclient.Conn
}

// loginAll dials a connection per user and logs it in, with the given
// concurrency.
func loginAll(url string, users []user, workers int) ([]online, error) {
	return loginAllWith([]string{url}, users, workers, nil)
}

// loginAllWith is loginAll over connections secured when sec is set, and
// spread over the nodes of a cluster: user i logs in at urls[i%len(urls)].
func loginAllWith(urls []string, users []user, workers int, sec *wsclient.Secure) ([]online, error) {
	out := make([]online, len(users))
	err := parallel(len(users), workers, func(i int) error {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		conn, err := loginWith(ctx, urls[i%len(urls)], users[i].token, sec)
		out[i] = online{u: users[i], conn: conn}
		return err
	})
	if err != nil {
		closeAll(out)
		return nil, err
	}
	return out, nil
}

func login(ctx context.Context, url, token string) (*wsclient.Conn, error) {
	return loginWith(ctx, url, token, nil)
}

func loginWith(ctx context.Context, url, token string, sec *wsclient.Secure) (*wsclient.Conn, error) {
	conn, err := dialWith(ctx, url, sec)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Client().UserLogin(ctx, &pb.UserLogin{Token: token}); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("UserLogin: %w", err)
	}
	return conn, nil
}

func closeAll(os []online) {
	for _, o := range os {
		if o.conn != nil {
			_ = o.conn.Close()
		}
	}
}

// errNotImplemented says that the server answered action with its internal
// error, which is what an action without behaviour returns.
type errNotImplemented struct {
	name  string
	major wire.Major
}

func (e errNotImplemented) Error() string {
	return fmt.Sprintf("%s: not implemented by the server (error %d)", e.name, e.major)
}

// explain turns the internal error of an action into errNotImplemented.
func explain(action uint16, err error) error {
	if err == nil {
		return nil
	}
	r := dispatch.Lookup(action)
	var we *wire.Error
	if r != nil && errors.As(err, &we) && we.Major == r.Internal {
		return errNotImplemented{name: r.Name, major: we.Major}
	}
	if r != nil {
		return fmt.Errorf("%s: %w", r.Name, err)
	}
	return err
}

func asNotImplemented(err error, target *errNotImplemented) bool { return errors.As(err, target) }
