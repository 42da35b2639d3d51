package bench

import (
	"slices"
	"strconv"
	"testing"
)

func TestPositives(t *testing.T) {
	if got, err := Positives(" 8, 40", strconv.Atoi); err != nil || !slices.Equal(got, []int{8, 40}) {
		t.Errorf("Positives(\" 8, 40\") = %v, %v", got, err)
	}
	float := func(s string) (float64, error) { return strconv.ParseFloat(s, 64) }
	if got, err := Positives("20,0.25", float); err != nil || !slices.Equal(got, []float64{20, 0.25}) {
		t.Errorf("Positives(\"20,0.25\") = %v, %v", got, err)
	}
	for _, list := range []string{"", "8,", "0", "1,-2", "x"} {
		if got, err := Positives(list, strconv.Atoi); err == nil {
			t.Errorf("Positives(%q) = %v, want an error", list, got)
		}
	}
	if _, err := Positives("1, -2", float); err == nil || err.Error() != `" -2" is not a positive number` {
		t.Errorf("error %v, want the item as written", err)
	}
}
