; vdlt-spec obligation query overlap-at-most-f-plus-1
(set-logic QF_LIA)
; benchmark generated from python API
(set-info :status unknown)
(declare-fun |size[Q1Q2B]| () Int)
(declare-fun |size[Q1Q2-]| () Int)
(declare-fun |size[Q1-B]| () Int)
(declare-fun |size[Q1--]| () Int)
(declare-fun |size[-Q2B]| () Int)
(declare-fun |size[-Q2-]| () Int)
(declare-fun |size[--B]| () Int)
(declare-fun |size[---]| () Int)
(declare-fun n () Int)
(declare-fun f () Int)
(assert
 (>= |size[Q1Q2B]| 0))
(assert
 (>= |size[Q1Q2-]| 0))
(assert
 (>= |size[Q1-B]| 0))
(assert
 (>= |size[Q1--]| 0))
(assert
 (>= |size[-Q2B]| 0))
(assert
 (>= |size[-Q2-]| 0))
(assert
 (>= |size[--B]| 0))
(assert
 (>= |size[---]| 0))
(assert
 (let ((?x51 (+ |size[Q1Q2B]| |size[Q1Q2-]| |size[Q1-B]| |size[Q1--]| |size[-Q2B]| |size[-Q2-]| |size[--B]| |size[---]|)))
 (= n ?x51)))
(assert
 (>= n 1))
(assert
 (let ((?x105 (* 3 f)))
 (< ?x105 n)))
(assert
 (>= (* 3 (+ f 1)) n))
(assert
 (let ((?x100 (* 2 n)))
 (> (* 3 (+ |size[Q1Q2B]| |size[Q1Q2-]| |size[Q1-B]| |size[Q1--]|)) ?x100)))
(assert
 (let ((?x100 (* 2 n)))
 (> (* 3 (+ |size[Q1Q2B]| |size[Q1Q2-]| |size[-Q2B]| |size[-Q2-]|)) ?x100)))
(assert
 (let ((?x83 (+ f 1)))
 (<= (+ |size[Q1Q2B]| |size[Q1Q2-]|) ?x83)))
(assert
 (>= f 1))
(check-sat)
