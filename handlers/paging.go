package handlers

// Page sizes of the lists clients page through. The spec states them in the
// field docs of ClientGetRoomList.pagination and ClientGetRoomHistory.limit
// (the generator exports no numbers of a field's doc); these are the same
// numbers, kept in this one place.
const (
	// RoomListPage is a room-list page without pagination or with limit 0.
	// Android asks at login for 50 and for the next page while a page holds
	// 50 or more, so the default equals what it asks for.
	RoomListPage = 50
	// RoomListMax caps a room-list page's limit.
	RoomListMax = 100
	// HistoryPage is a history page with limit 0.
	HistoryPage = 50
	// HistoryMax caps a history page's limit (Android asks for 100, or 10
	// for the first page in a direction).
	HistoryMax = 100
)

// pageLimit is a client's limit with 0 meaning def and anything above most
// capped at most.
func pageLimit(limit uint32, def, most int) int {
	switch {
	case limit == 0:
		return def
	case limit > uint32(most):
		return most
	}
	return int(limit)
}
