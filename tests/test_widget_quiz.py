"""ChoiceCards and MultipleChoice (e01): sorting, checking, the line to copy, Japanese labels."""

from __future__ import annotations

import pytest
from helpers import english_words, in_japanese, shown_text

from course.widgets.quiz import ChoiceCards, MultipleChoice, Quiz, bench_cases

ITEMS = ["robot vacuum", "smart speaker", "thermometer", "camera app"]
GROUPS = ["senses", "decides", "learns"]
ANSWERS = {"robot vacuum": "decides", "smart speaker": "learns", "thermometer": "senses",
           "camera app": "learns"}


def cards(**kwargs) -> ChoiceCards:
    return ChoiceCards(ITEMS, GROUPS, answers=ANSWERS, emoji={"robot vacuum": "🧹"}, **kwargs)


def test_sorting_and_checking_counts_right_cards_and_marks_each():
    widget = cards()
    widget.sort_item("robot vacuum", "decides")
    widget.sort_item("smart speaker", "senses")           # wrong
    assert widget.assignments == {"robot vacuum": "decides", "smart speaker": "senses"}
    assert widget.n_correct == 1
    assert widget.check() == 1
    assert "✔" in widget.marks["robot vacuum"].value and "Right!" in widget.marks["robot vacuum"].value
    assert "✘" in widget.marks["smart speaker"].value and "Not yet" in widget.marks["smart speaker"].value
    assert "Pick a group." in widget.marks["thermometer"].value
    assert "1 of 4 right." in widget.output.value and "every card" in widget.output.value


def test_all_right_says_well_done():
    widget = cards()
    for item, group in ANSWERS.items():
        widget.sort_item(item, group)
    widget.check()
    assert widget.n_correct == 4 and "4 of 4 right. All right" in widget.output.value


def test_dropdown_and_trait_and_twin_agree():
    widget = cards()
    widget.menus["thermometer"].value = "senses"          # what the child does
    assert widget.assignments == {"thermometer": "senses"} and widget.n_correct == 1
    widget.assignments = {"camera app": "learns"}         # setting the trait moves the menus
    assert widget.menus["camera app"].value == "learns" and widget.menus["thermometer"].value is None
    widget.sort_item("camera app", None)
    assert widget.assignments == {} and widget.n_correct == 0


def test_moving_a_card_after_check_wipes_old_marks():
    widget = cards()
    widget.sort_item("thermometer", "senses")
    widget.button.click()                                  # the Check button's twin
    assert widget.checked and "✔" in widget.marks["thermometer"].value
    widget.sort_item("thermometer", "learns")
    assert not widget.checked and widget.marks["thermometer"].value == ""


def test_cards_show_the_line_to_copy_in_card_order():
    widget = cards(name="answer_sort")
    widget.sort_item("thermometer", "senses")
    widget.sort_item("robot vacuum", "decides")
    assert 'answer_sort = {"robot vacuum": "decides", "thermometer": "senses"}' in widget.output.value


def test_cards_refuse_unknown_cards_and_groups_with_a_hint():
    widget = cards()
    with pytest.raises(ValueError, match="The cards are: robot vacuum"):
        widget.sort_item("toaster", "senses")
    with pytest.raises(ValueError, match="The groups are: senses, decides, learns"):
        widget.sort_item("thermometer", "thinks")
    with pytest.raises(ValueError, match="not among the groups"):
        ChoiceCards(["a"], ["x"], answers={"a": "y"})


def test_multiple_choice_checks_and_shows_the_line_to_copy():
    quiz = MultipleChoice("Which one learns?", ["a toaster", "a spam filter", "a switch"], answer="b",
                          explain={"a": "A toaster follows a fixed rule."}, name="answer_why")
    assert quiz.check() is None and "Pick one answer first" in quiz.feedback.value
    quiz.choose("a")
    assert quiz.radio.value == "a" and 'answer_why = "a"' in quiz.output.value
    assert quiz.check() is False and "✘" in quiz.feedback.value and "fixed rule" in quiz.feedback.value
    quiz.radio.value = "b"                                 # clicking option b
    assert quiz.feedback.value == "" and quiz.correct is None
    quiz.button.click()
    assert quiz.correct is True and "✔ Right!" in quiz.feedback.value
    assert 'answer_why = "b"' in quiz.output.value


def test_multiple_choice_without_answer_does_not_tell_and_refuses_bad_letters():
    quiz = Quiz("Pick one", {"a": "yes", "b": "no"}, name="answer_x")
    quiz.choose("b")
    assert quiz.check() is None and "✔" not in quiz.feedback.value and "✘" not in quiz.feedback.value
    with pytest.raises(ValueError, match="pick one of a, b"):
        quiz.choose("z")
    assert quiz.choice == "b"
    with pytest.raises(ValueError, match="not one of the letters"):
        MultipleChoice("?", ["x", "y"], answer="c")


def test_japanese_labels_leave_no_english():
    with in_japanese():
        widget = ChoiceCards(["おそうじロボット", "温度計"], ["感じる", "決める", "学ぶ"],
                             answers={"おそうじロボット": "決める", "温度計": "感じる"}, name="answer_sort")
        widget.sort_item("温度計", "学ぶ")
        widget.check()
        quiz = MultipleChoice("どれが学ぶ？", ["トースター", "めいわくメールのフィルター"], answer="b",
                              name="answer_why")
        quiz.choose("a")
        quiz.check()
        text = shown_text(widget) + shown_text(quiz)
    assert "たしかめる" in text and "2こ中 0こ" in text
    assert english_words(text) == [], text


def test_bench_cases_run():
    cases = bench_cases()
    assert len(cases) == 4
    for _name, event in cases:
        event()
