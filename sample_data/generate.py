"""Generate the synthetic POET-style sample survey used by the demo and the tests.

Every respondent and every answer here is invented: the answers are assembled from phrase
templates written for this project, with slot fillers, typos and formatting noise, so that they
read like real free-text survey answers without coming from anyone. The hand coding of the
prior year follows from the templates used, so it is consistent with the text.

Run from the repository root::

    python sample_data/generate.py            # rewrites the files in sample_data/
    python sample_data/generate.py --out DIR  # writes them to DIR instead

The output is deterministic: the same script writes the same bytes every time.
Standard library only.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import re
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent

QUESTIONS = ("worked_well", "not_well", "change")
NOT_ASSIGNED = "Not assigned"

N_PRIOR = 380
N_CURRENT = 420
MIN_PER_THEME = 12

# Share of respondents who answered each question (as in the national report).
ANSWER_RATE = {
    "holder": {"worked_well": 0.76, "not_well": 0.605, "change": 0.33},
    "carer": {"worked_well": 0.765, "not_well": 0.60, "change": 0.61},
}

COUNCILS = [
    "Ashbourne Vale", "Brackenfield", "Cresswick", "Dunmoor", "Elmsworth",
    "Fenbridge", "Greyhaven", "Harrowfield",
]
AGE_BANDS = ["18-24", "25-44", "45-64", "65-74", "75+"]
AGE_WEIGHTS = {"holder": [8, 22, 30, 17, 23], "carer": [2, 18, 45, 22, 13]}
BUDGET_TYPES = ["Direct payment", "Managed account", "Council managed", "Mixed"]
BUDGET_WEIGHTS = [45, 20, 25, 10]
GENDERS = ["Female", "Male", "Prefer not to say"]
GENDER_WEIGHTS = [54, 42, 4]

# --------------------------------------------------------------------------- slot fillers

SLOTS: dict[str, list[str]] = {
    "pa": ["my PA", "my PAs", "my personal assistant", "my personal assistants",
           "the girls who come in", "my carers", "the agency carers", "my support worker"],
    "their_pa": ["his PA", "her PA", "the PAs", "the personal assistant", "the carers",
                 "the support workers", "the agency staff"],
    "sw": ["social worker", "care manager", "social worker", "case worker", "care coordinator"],
    "council": ["the council", "the council", "social services", "adult social care",
                "the local authority", "the county council"],
    "wait": ["six months", "nearly a year", "3 months", "over four months", "ages",
             "eight weeks", "18 months", "the best part of a year", "9 weeks", "months"],
    "quick": ["within a couple of weeks", "in no time", "really quickly", "within a month",
              "quicker than I expected", "very promptly", "straight away"],
    "activity": ["go swimming", "go to the day centre", "get to church", "visit my sister",
                 "go to the shops", "go to the football", "go to the café in town",
                 "attend my art class", "go to the gym", "meet friends at the pub",
                 "go to the garden centre", "get to my hospital appointments"],
    "p_activity": ["go swimming", "go to college", "go bowling", "go to the day centre",
                   "go to the cinema", "go to his club", "do her drama group",
                   "go to the café", "go horse riding", "go to the disco on Fridays"],
    "family": ["my wife", "my husband", "my daughter", "my son", "my mum", "my partner",
               "my sister", "my parents"],
    "amount": ["12.50", "14", "15.20", "11.90", "13", "16.40"],
    "weekly": ["40", "85", "120", "160", "210", "65"],
    "hours": ["10 hours", "14 hours", "6 hours", "20 hours", "3 hours", "12 hours"],
    "paperwork": ["paperwork", "paperwork", "forms", "form filling", "red tape",
                  "bureaucracy"],
    "easy_forms": ["forms", "application forms", "support plan forms", "financial forms"],
    "years": ["two years", "about five years", "over ten years", "18 months",
              "three years", "a long time"],
    "nth": ["second", "third", "fourth", "first"],
    "forms_detail": ["timesheets", "receipts", "bank statements", "quarterly returns",
                     "monitoring forms", "invoices"],
    "nightmare": ["a nightmare", "a headache", "a real struggle", "exhausting",
                  "a complete mess", "soul destroying", "hard work"],
    "great": ["great", "brilliant", "excellent", "really good", "fantastic", "spot on",
              "very good"],
    "bad": ["poor", "awful", "terrible", "not good enough", "shocking", "really bad",
            "very poor"],
    "org": ["the Centre for Independent Living", "a local charity", "the carers centre",
            "the direct payment support service", "Citizens Advice", "a peer support group"],
    "managed": ["the managed account", "the payroll company", "the payroll service",
                "the support service", "the managed account provider"],
    "home_task": ["cleaning", "cooking", "washing and ironing", "the garden",
                  "shopping", "getting meals ready", "keeping the house tidy"],
    "health_gain": ["my mental health", "my physical health", "my mobility", "my mood",
                    "my pain", "my diabetes", "my MS", "my recovery after the stroke"],
    "condition": ["MS", "Parkinson's", "arthritis", "my stroke", "COPD", "depression",
                  "a spinal injury", "my heart condition"],
}

# Respondents to the carer survey speak about someone: these slots keep pronouns consistent.
PERSONS = [
    ("my son", "he", "his", "him"), ("my daughter", "she", "her", "her"),
    ("my husband", "he", "his", "him"), ("my wife", "she", "her", "her"),
    ("mum", "she", "her", "her"), ("dad", "he", "his", "him"),
    ("my brother", "he", "his", "him"), ("my mother", "she", "her", "her"),
    ("my partner", "he", "his", "him"), ("our daughter", "she", "her", "her"),
    ("our son", "he", "his", "him"),
]

# --------------------------------------------------------------------------- phrase banks
#
# BANK[group][theme][polarity]: "pos" praises, "neg" complains, "chg" suggests a change.
# Each template expresses its theme and only its theme, so an answer made of fragments is
# coded with exactly the themes of its fragments.

HOLDER: dict[str, dict[str, list[str]]] = {
    "Support": {
        "pos": ["{pa} {is} {great}", "the support I get from {pa} is {great}",
                "having the same carers every day", "I get help with personal care "
                "in the mornings from {pa}", "the day centre three times a week",
                "good reliable support at the times I need it",
                "the overnight support has been {great}",
                "I now have support workers who know me well",
                "the sitting service on a Thursday", "my carers turn up on time"],
        "neg": ["the agency keep sending different carers", "carers turning up late or not "
                "at all", "{pa} {is} unreliable", "the support stops at weekends",
                "no support available in the evenings",
                "the day centre closed and nothing replaced it",
                "too many different faces coming in", "the quality of the agency care is {bad}"],
        "chg": ["more consistent carers", "support in the evenings and at weekends",
                "better quality agency staff", "a wider range of support to choose from",
                "the same carers instead of strangers every week",
                "more day services in the area"],
    },
    "Choice/control": {
        "pos": ["I can choose my own carers", "I am in control of my own care",
                "being able to choose who helps me and when", "the flexibility to change "
                "days and times", "I decide how the money is spent", "having choice and "
                "control over my support", "I can employ people I trust",
                "it is tailored to me and not a one size fits all", "freedom to do things my way"],
        "neg": ["I was told what I could and could not spend it on", "no real choice of "
                "provider", "the council still decides everything", "very little flexibility "
                "once the plan is agreed", "I had no say in who came to the house",
                "it feels like they are in control not me"],
        "chg": ["let people choose how they spend it", "more flexibility to move hours "
                "around", "give us real choice and control", "let me pick my own agency",
                "trust us to make our own decisions"],
    },
    "Independence": {
        "pos": ["I can get out and {activity}", "it means I can stay in my own home",
                "I am more independent", "I can {activity} again", "it keeps me out of a "
                "care home", "getting out into the community", "my PA takes me out so I can "
                "{activity}", "I can live independently", "I am not stuck indoors all day"],
        "neg": ["I am housebound most of the week", "no transport so I can't get out",
                "I can't {activity} any more", "there is nothing for getting out and about",
                "I feel stuck in the house"],
        "chg": ["more hours for getting out into the community", "help with transport so I "
                "can {activity}", "support to be more independent", "money for taxis so I "
                "can get out"],
    },
    "Quality of life": {
        "pos": ["my quality of life is so much better", "I enjoy life again", "it has made "
                "a huge difference to my life", "I feel like a person again", "I have "
                "something to look forward to each week", "I see my grandchildren more",
                "it has given me my confidence back", "life is much more normal now",
                "I am less lonely"],
        "neg": ["I feel lonely and isolated", "my life is no better than before",
                "I have no social life", "I miss seeing my family",
                "there is no quality of life on so few hours"],
        "chg": ["think about quality of life not just personal care", "help for people who "
                "are lonely", "more for wellbeing and social contact"],
    },
    "Positive": {
        "pos": ["everything", "all of it, thank you", "very grateful for everything",
                "excellent all round", "it all works well", "no complaints at all",
                "can't fault it", "it has been a lifeline", "I am very happy with everything",
                "brilliant, keep up the good work", "10 out of 10", "a godsend"],
        "neg": ["nothing, it all works well", "nothing really, I am very happy",
                "no complaints", "can't think of anything, it's been {great}"],
        "chg": ["nothing, keep it as it is", "keep up the good work",
                "nothing, very grateful for what I get", "don't change a thing, it's {great}"],
    },
    "Process": {
        "pos": ["the process was straightforward", "the {easy_forms} were easy",
                "setting it up was simple", "the application was easy to fill in",
                "the assessment process was clear"],
        "neg": ["the {paperwork} is {nightmare}", "too much {paperwork}", "the whole process "
                "is too complicated", "so many hoops to jump through", "having to fill in the "
                "same forms again and again", "the financial assessment was {nightmare}",
                "all the beaurocracy", "the paperwrok", "having to repeat my story to "
                "everyone", "the panel process"],
        "chg": ["less {paperwork}", "simplify the process", "make the forms simpler",
                "cut the red tape", "one form instead of five", "an online form that saves "
                "as you go", "less beaurocracy please"],
    },
    "Home": {
        "pos": ["help with {home_task} at home", "my home is kept clean and tidy",
                "I get help with the {home_task}", "home life is calmer", "the adaptations "
                "to my bathroom", "the house runs smoothly now"],
        "neg": ["nobody helps with the {home_task}", "the house is a mess", "still waiting "
                "for the wet room", "I can't keep on top of the housework"],
        "chg": ["allow the budget to pay for a cleaner", "help with {home_task}",
                "faster home adaptations"],
    },
    "Carer": {
        "pos": ["it gives {family} a break", "{family} can have some time to themselves",
                "{family} can go back to work part time", "less pressure on {family}",
                "{family} gets a proper carer's break", "{family} is not so worn out"],
        "neg": ["{family} still does most of it and is exhausted", "there is nothing for "
                "{family}", "{family} never gets a break", "it all falls on {family}"],
        "chg": ["more respite for {family}", "support for family carers like {family}",
                "a proper break for {family}"],
    },
    "Health": {
        "pos": ["{health_gain} has improved", "it has helped with {health_gain}",
                "I go to physio and swimming which helps my {condition}", "I am healthier "
                "and fitter", "I have been in hospital far less", "my depression is much "
                "better", "it helps me manage my {condition}"],
        "neg": ["my health has got worse", "my anxiety is worse since the cuts",
                "nothing for my mental health", "I ended up back in hospital"],
        "chg": ["pay for therapies like physio", "more support for mental health",
                "let it pay for things that keep me well like the gym"],
    },
    "Staff": {
        "pos": ["my {sw} was {great}", "the {sw} really listened", "a very understanding "
                "{sw}", "the staff at the council were helpful and knowledgeable",
                "my socail worker understood what I needed", "the occupational therapist "
                "was very good"],
        "neg": ["the {sw} did not listen", "my {sw} keeps changing", "I have had four "
                "different {sw}s", "the {sw} didn't understand my condition", "staff at "
                "{council} were rude", "the socail worker was patronising", "no {sw} "
                "for over a year", "the assessor had no knowledge of my needs"],
        "chg": ["staff who understand disability", "keep the same {sw}", "better trained "
                "{sw}s", "a named {sw} I can talk to", "staff who listen"],
    },
    "Review": {
        "pos": ["the annual review was quick and fair", "regular reviews keep it right",
                "my review went well", "they review it every year"],
        "neg": ["I have never had a review", "no review for three years", "I dread the "
                "review in case they cut it", "every reassessment they take something away",
                "worried about losing hours at the next review", "the review was rushed"],
        "chg": ["regular reviews", "reviews that don't feel like a threat", "a review every "
                "year", "stop cutting at every review", "follow up after the review"],
    },
    "Set up": {
        "pos": ["finding a PA was easier than I thought", "the agency found me carers "
                "quickly", "recruiting my own staff worked out", "setting it up with help "
                "from {org}"],
        "neg": ["I can't find a PA", "recruting staff is impossible round here",
                "no agency could cover my area", "I couldn't spend the budget because there "
                "were no carers", "my PA left and I can't replace her", "the money sat "
                "there unspent", "nobody answers the adverts"],
        "chg": ["help with finding and recruiting PAs", "a list of PAs in the area",
                "more agencies in rural areas", "help to set things up at the start"],
    },
    "Stress/worry": {
        "pos": ["peace of mind", "less stress", "I don't have to worry", "it has taken a "
                "lot of worry away", "knowing it is there is a relief"],
        "neg": ["the responsibility is too much", "it is very stressful", "I worry about "
                "getting it wrong", "sleepless nights over it", "it is a burden",
                "I find it daunting"],
        "chg": ["less stress for budget holders", "take some of the responsibility away",
                "reassurance that we won't get in trouble for mistakes"],
    },
    "Timeliness": {
        "pos": ["it was set up {quick}", "the money came through {quick}", "quick to get "
                "started", "everything happened quickly"],
        "neg": ["it took {wait} to get going", "waiting {wait} for an assessment", "the "
                "delays", "took {wait} before any money came", "still waiting after {wait}",
                "far too slow"],
        "chg": ["speed up the process", "faster assessments", "don't make people wait {wait}",
                "get the money in place sooner"],
    },
    "Managing budget": {
        "pos": ["{managed} does all the payroll for me", "the direct payment is easy to "
                "manage", "the prepaid card makes it easy", "{managed} sorts the wages "
                "and tax", "keeping the accounts is simple", "the bank account is easy "
                "to run"],
        "neg": ["keeping all the {forms_detail}", "the audit was {nightmare}", "the "
                "financial monitoring is over the top", "they clawed back money I had "
                "saved", "sorting out tax and national insurance", "{managed} keeps making "
                "mistakes with wages", "sending in {forms_detail} every quarter"],
        "chg": ["simpler monitoring", "let {managed} do the payroll", "fewer audits",
                "stop clawing back money people have saved", "one simple statement each "
                "quarter instead of all the {forms_detail}"],
    },
    "Communication": {
        "pos": ["they always ring back", "I was kept informed", "easy to get hold of "
                "someone", "good communication between everyone"],
        "neg": ["phone calls not returned", "nobody ever rings back", "can't get hold of "
                "anyone at {council}", "emails ignored", "nobody told me what was happening",
                "the council and the NHS don't talk to each other", "I never know who to "
                "contact", "letters never arrive"],
        "chg": ["answer the phone", "return calls", "keep people informed", "one number to "
                "ring", "better communication between health and social care"],
    },
    "Advice": {
        "pos": ["good advice from {org}", "clear information about what I can spend it on",
                "it was all explained well", "the information pack was useful",
                "{org} explained my employer responsibilities"],
        "neg": ["nobody explained how it works", "no information about what it can be used "
                "for", "I didn't know what I was allowed to spend it on", "conflicting advice",
                "no guidance about being an employer", "the rules are unclear"],
        "chg": ["clear guidance on what it can be spent on", "more information at the "
                "start", "a simple leaflet", "advice on employing a PA", "tell people "
                "about {org}"],
    },
    "Funding/service level": {
        "pos": ["the amount is enough for my needs", "the budget covers what I need",
                "I get enough hours", "the money is adequate", "they increased my hours"],
        "neg": ["not enough money", "my budget was cut", "only {hours} a week which is "
                "not enough", "the hourly rate of £{amount} is too low to attract staff",
                "I have to pay £{weekly} a week contribution", "the cuts", "the money "
                "doesn't cover the cost of care"],
        "chg": ["more hours", "more money", "raise the hourly rate", "stop the cuts",
                "lower the contribution", "a budget that keeps up with the cost of living",
                "pay PAs more than £{amount} an hour"],
    },
}

CARER: dict[str, dict[str, list[str]]] = {
    "Process": {
        "pos": ["the process was straightforward", "the {easy_forms} were manageable",
                "the {sw} made the process easy", "the application was simple",
                "the carer's assessment was quick and clear"],
        "neg": ["the {paperwork} is {nightmare}", "too much {paperwork}", "the process is "
                "far too complicated", "the beaurocracy", "endless forms", "having to "
                "explain everything again to each new {sw}", "the financial assessment",
                "the paperwrok"],
        "chg": ["less {paperwork}", "a simpler process", "fewer forms", "one assessment "
                "for both of us", "cut the beaurocracy"],
    },
    "Stress/worry": {
        "pos": ["peace of mind", "less worry", "it has taken a lot of stress away",
                "I know {P} is safe so I don't worry"],
        "neg": ["it is very stressful", "the worry of getting it wrong", "it causes a lot "
                "of anxiety", "I'm at breaking point", "the responsibility is too much",
                "I lie awake worrying about it"],
        "chg": ["less stress for families", "reassurance that mistakes won't be punished",
                "take some of the pressure off carers"],
    },
    "Life for carer": {
        "pos": ["I get a break", "I have some time for myself", "I can keep my job",
                "I can see my friends again", "it gives me a proper carer's break",
                "I get a night off", "I have a bit of my own life back"],
        "neg": ["I never get a break", "I have no life of my own", "I had to give up work",
                "I am exhausted", "I can't remember the last time I had a night off"],
        "chg": ["more respite for carers", "a regular break for me", "help so I can keep "
                "working", "time for the carer too"],
    },
    "Life for the person": {
        "pos": ["{P} can {p_activity}", "{P} is much happier", "{he} gets out more",
                "{P} has more independence", "{he} loves going out with {his} PA",
                "{P} can stay at home", "{his} confidence has grown"],
        "neg": ["{P} is stuck at home all day", "{he} has no social life", "{P} can't "
                "{p_activity} any more", "{he} is bored and unhappy"],
        "chg": ["more activities for {P}", "help so {P} can {p_activity}", "support for "
                "{P} to be more independent"],
    },
    "Advice": {
        "pos": ["good advice from {org}", "the information was clear", "{org} explained "
                "everything", "we were given clear information on what we could spend it on"],
        "neg": ["nobody explained anything", "no information about what is available",
                "we didn't know what we were allowed to spend it on", "conflicting advice "
                "from different people", "no guidance at all"],
        "chg": ["clear information at the start", "advice on what it can be used for",
                "tell carers about {org}", "a simple guide for families"],
    },
    "Managing budget": {
        "pos": ["{managed} deals with the payroll", "the direct payment is easy to manage",
                "the prepaid card is simple", "keeping the accounts is straightforward"],
        "neg": ["keeping all the {forms_detail}", "the audits", "the financial monitoring "
                "is {nightmare}", "they clawed back money we had saved", "{managed} got "
                "the wages wrong again", "sending in {forms_detail} every month"],
        "chg": ["simpler monitoring", "fewer audits", "let {managed} do more of the "
                "accounts", "stop the clawback"],
    },
    "Support": {
        "pos": ["{their_pa} {is} {great}", "the support {P} gets is {great}", "reliable "
                "carers", "the same carers every week", "the day service is very good",
                "flexible support that fits around us"],
        "neg": ["the agency send different carers every time", "carers not turning up",
                "the quality of care is {bad}", "no services for {P} locally", "{their_pa} "
                "{is} unreliable"],
        "chg": ["more reliable carers", "better quality care", "more services locally",
                "the same carers each week"],
    },
    "Choice/control": {
        "pos": ["we can choose our own carers", "we have control over the support",
                "being able to choose who helps {P}", "the flexibility to change times",
                "we decide how the money is spent"],
        "neg": ["we were told what we could spend it on", "no choice of agency", "no say in "
                "who comes", "very little flexibility"],
        "chg": ["more choice", "let families decide how to spend it", "more flexibility"],
    },
    "Timeliness": {
        "pos": ["it was set up {quick}", "the money came through {quick}", "quick once it "
                "was agreed"],
        "neg": ["it took {wait} to set up", "waiting {wait} for the money", "the delays",
                "still waiting after {wait}"],
        "chg": ["speed up the process", "faster assessments", "don't make families wait "
                "{wait}"],
    },
    "Employment/setup": {
        "pos": ["we found a good PA through an advert", "recruiting was easier with help "
                "from {org}", "the contract and employer side were sorted for us",
                "the PA we employ is settled"],
        "neg": ["finding a PA is impossible", "recruting staff", "being an employer is a "
                "lot of responsibility", "sorting out holiday pay and sick pay", "no cover "
                "when the PA is off sick", "the PA left after two months",
                "contracts and employment law"],
        "chg": ["help with recruiting PAs", "someone else to be the employer", "a bank of "
                "PAs for cover", "help with contracts and being an employer"],
    },
    "Carers role": {
        "pos": ["I don't have to do all the caring myself", "it shares the caring with "
                "paid carers", "I can be a mum again not just a carer",
                "I am less of a full time carer"],
        "neg": ["it all falls on me", "organising everything is like a second job",
                "I have to fill the gaps when carers don't turn up", "I am on call 24/7",
                "I do all the admin as well as the caring", "as the main carer I am not "
                "recognised"],
        "chg": ["recognise what carers do", "help with organising the support", "someone "
                "else to coordinate the carers"],
    },
    "Service level": {
        "pos": ["the budget is enough", "we get enough hours", "they increased the hours",
                "the amount covers what {P} needs"],
        "neg": ["not enough money", "the budget was cut", "only {hours} a week",
                "the rate of £{amount} an hour is too low", "we pay £{weekly} a week "
                "towards it", "the money doesn't cover the agency fees"],
        "chg": ["more hours", "more money", "raise the hourly rate", "stop the cuts",
                "lower the contribution"],
    },
}

BANKS = {"holder": HOLDER, "carer": CARER}

# Relative weight of each theme per question (prior-year coding roughly follows the report:
# praise of choice and support, complaints about process, money and staff).
WEIGHTS: dict[str, dict[str, dict[str, float]]] = {
    "holder": {
        "worked_well": {"Support": 9, "Choice/control": 10, "Independence": 8,
                        "Quality of life": 7, "Positive": 8, "Process": 2, "Home": 4,
                        "Carer": 4, "Health": 4, "Staff": 3, "Review": 2, "Set up": 2,
                        "Stress/worry": 3, "Timeliness": 2, "Managing budget": 3,
                        "Communication": 1, "Advice": 2, "Funding/service level": 2},
        "not_well": {"Support": 4, "Choice/control": 2, "Independence": 1,
                     "Quality of life": 1, "Positive": 2, "Process": 8, "Home": 2,
                     "Carer": 2, "Health": 2, "Staff": 6, "Review": 4, "Set up": 4,
                     "Stress/worry": 3, "Timeliness": 4, "Managing budget": 5,
                     "Communication": 6, "Advice": 4, "Funding/service level": 8},
        "change": {"Support": 3, "Choice/control": 2, "Independence": 1,
                   "Quality of life": 1, "Positive": 2, "Process": 6, "Home": 2,
                   "Carer": 2, "Health": 2, "Staff": 4, "Review": 4, "Set up": 3,
                   "Stress/worry": 2, "Timeliness": 3, "Managing budget": 3,
                   "Communication": 5, "Advice": 5, "Funding/service level": 8},
    },
    "carer": {
        "worked_well": {"Process": 2, "Stress/worry": 4, "Life for carer": 8,
                        "Life for the person": 9, "Advice": 2, "Managing budget": 3,
                        "Support": 8, "Choice/control": 8, "Timeliness": 2,
                        "Employment/setup": 2, "Carers role": 3, "Service level": 2},
        "not_well": {"Process": 8, "Stress/worry": 5, "Life for carer": 2,
                     "Life for the person": 1, "Advice": 4, "Managing budget": 5,
                     "Support": 4, "Choice/control": 2, "Timeliness": 4,
                     "Employment/setup": 6, "Carers role": 4, "Service level": 7},
        "change": {"Process": 6, "Stress/worry": 2, "Life for carer": 3,
                   "Life for the person": 2, "Advice": 5, "Managing budget": 3,
                   "Support": 4, "Choice/control": 3, "Timeliness": 3,
                   "Employment/setup": 4, "Carers role": 3, "Service level": 7},
    },
}

MAIN_POLARITY = {"worked_well": "pos", "not_well": "neg", "change": "chg"}

VAGUE = {
    "worked_well": ["fine", "ok", "OK", "n/a", "N/A", "not sure", "don't know",
                    "-", "same as before", "hard to say", "it's fine", "?",
                    "see comments", "yes", "alright", "nothing much"],
    "not_well": ["n/a", "nothing", "as above", "see previous answer", "-", "no comment",
                 "none", "not sure", "N/A", "same as last year", "don't know", "nil",
                 "see above", "..."],
    "change": ["nothing", "not sure", "as above", "n/a", "see previous answer", "don't know",
               "no", "none", "-", "nothing to add", "as before", "can't think of anything"],
}

OPENERS = ["", "", "", "", "", "", "Overall ", "To be honest ", "I think ", "For me ",
           "Personally ", "At the moment ", "Mostly ", "In my experience ", "Honestly, ",
           "Well ", "I would say "]
CHANGE_OPENERS = ["", "", "", "", "I would like ", "It would help to have ", "We need ",
                  "Would be nice to have ", "Maybe ", "Definitely "]
CHANGE_VERB_OPENERS = ["", "", "", "", "Please ", "They should ", "The council should ",
                       "Maybe ", "I wish they would "]
IMPERATIVES = {"allow", "answer", "cut", "don't", "get", "give", "help", "keep", "let",
               "lower", "make", "pay", "raise", "recognise", "return", "simplify", "speed",
               "stop", "take", "tell", "think", "trust"}
JOIN_SAME = [". ", ". ", " and ", ", ", ". Also ", "; ", " and also ", ". Plus ", ".\n"]
JOIN_FLIP = [" but ", ". However ", ", but ", ". On the other hand ", " although "]
ENDINGS = ["", "", "", "", ".", ".", ".", "!", "..", " "]

# Sentences that set the scene but carry no theme: they make answers longer, as real ones
# often are, without changing how they are coded.
PREAMBLES = {
    "holder": ["I have had a personal budget for {years} now.", "I live on my own.",
               "This is my {nth} year on a direct payment.", "I am in my eighties.",
               "I filled this in with help from my niece.", "Where do I start."],
    "carer": ["I care for {P}.", "{P} lives with us.",
              "I have been {his} carer for {years}.", "{P} has had a budget for {years}.",
              "I am writing this on behalf of {P}.", "{P} has complex needs."],
}
TRAILERS = ["That's all really.", "Hope this helps.", "Sorry it's a bit long.",
            "That is all I can think of.", "Hope that makes sense."]

TYPOS = {
    "paperwork": "paperwrok", "bureaucracy": "beaurocracy", "recruiting": "recruting",
    "social worker": "socail worker", "definitely": "definately", "receipts": "reciepts",
    "independent": "independant", "responsibility": "responsibilty",
    "assessment": "assesment", "because": "becuase", "really": "realy", "which": "wich",
    "their": "there", "separate": "seperate", "necessary": "neccessary",
    "budget": "budjet", "quickly": "quikly", "council": "counsil",
}


# --------------------------------------------------------------------------- rendering


def render(template: str, rng: random.Random, ctx: dict[str, str]) -> str:
    """Fill the ``{slot}`` placeholders of ``template``."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in ctx:
            return ctx[name]
        if name == "is":  # a verb that agrees with the slot just before it
            return "\0is"
        return render(rng.choice(SLOTS[name]), rng, ctx)

    text = re.sub(r"\{(\w+)\}", fill, template)
    text = re.sub(r"\b(PAs|assistants|carers|staff|workers|girls who come in) \0is",
                  r"\1 are", text)
    return text.replace("\0is", "is")


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def add_noise(text: str, rng: random.Random) -> str:
    """Typos, casing, curly quotes and spreadsheet-hostile prefixes, as people write."""
    if rng.random() < 0.18:
        for right, wrong in rng.sample(sorted(TYPOS.items()), len(TYPOS)):
            if right in text:
                text = text.replace(right, wrong, 1)
                break
    r = rng.random()
    if r < 0.15:
        text = re.sub(r"[.!,;](?!\d)", "", text.lower())
    elif r < 0.19:
        text = text.upper() if len(text) < 60 else text
    if "'" in text and rng.random() < 0.25:
        text = text.replace("'", "\u2019")
    r = rng.random()
    if r < 0.025:
        text = "- " + text
    elif r < 0.04:
        text = "+ " + text
    elif r < 0.05:
        text = "=" + text
    elif r < 0.06:
        text = "@council " + text
    elif r < 0.075:
        text = "\u201c" + text.rstrip(".!") + "\u201d"
    return text


def pick_themes(group: str, question: str, rng: random.Random) -> list[str]:
    weights = WEIGHTS[group][question]
    names = list(weights)
    k = rng.choices([1, 2, 3], weights=[52, 34, 14])[0]
    chosen: list[str] = []
    while len(chosen) < k:
        name = rng.choices(names, weights=[weights[n] for n in names])[0]
        if name not in chosen and not (chosen and name == "Positive"):
            chosen.append(name)
    return chosen


def make_answer(group: str, question: str, rng: random.Random,
                person: tuple[str, str, str, str]) -> tuple[str, list[str]]:
    """One answer's text and the themes it was coded with."""
    if rng.random() < 0.11:
        return rng.choice(VAGUE[question]), [NOT_ASSIGNED]
    themes = pick_themes(group, question, rng)
    if themes[0] == "Positive":  # "nothing, all good" stands alone
        themes = themes[:1]
    bank = BANKS[group]
    ctx = {"P": person[0], "he": person[1], "his": person[2], "him": person[3]}
    main = MAIN_POLARITY[question]
    parts: list[str] = []
    previous = main
    for i, theme in enumerate(themes):
        polarity = main
        if i > 0 and question != "change" and theme != "Positive" and rng.random() < 0.3:
            polarity = "neg" if main == "pos" else "pos"
        if i > 0 and question == "change" and rng.random() < 0.2:
            polarity = "neg"
        fragment = render(rng.choice(bank[theme][polarity]), rng, ctx)
        if i == 0:
            if theme == "Positive":
                opener = ""
            elif question != "change":
                opener = rng.choice(OPENERS)
            elif fragment.split()[0] in IMPERATIVES:
                opener = rng.choice(CHANGE_VERB_OPENERS)
            else:
                opener = rng.choice(CHANGE_OPENERS)
            text = capitalise(opener + fragment)
        else:
            if polarity == previous:
                join = rng.choice(JOIN_SAME)
            elif question == "change":
                join = rng.choice([". ", "; ", ". At the moment "])
            else:
                join = rng.choice(JOIN_FLIP)
            text = join + (capitalise(fragment) if join.endswith(". ") else fragment)
        parts.append(text)
        previous = polarity
    text = "".join(parts) + rng.choice(ENDINGS)
    if rng.random() < 0.1:
        text = render(rng.choice(PREAMBLES[group]), rng, ctx) + " " + text
    if rng.random() < 0.05:
        text = text.rstrip(" .!") + ". " + rng.choice(TRAILERS)
    return add_noise(text, rng), themes


def make_survey(n: int, prefix: str, seed: str) -> list[dict[str, str]]:
    """``n`` respondents; each row holds the answers and the coding of each question.

    The group split and the share answering each question are exact (rounded), so the
    sample reproduces the report's percentages; who answers what is random.
    """
    rng = random.Random(seed)
    groups = ["holder"] * round(n * 0.6) + ["carer"] * (n - round(n * 0.6))
    rng.shuffle(groups)
    answers: set[tuple[int, str]] = set()
    for group in ANSWER_RATE:
        members = [i for i, g in enumerate(groups) if g == group]
        for question in QUESTIONS:
            k = round(len(members) * ANSWER_RATE[group][question])
            answers.update((i, question) for i in rng.sample(members, k))
    rows = []
    for i, group in enumerate(groups):
        row = {
            "respondent_id": f"{prefix}-{i + 1:04d}",
            "group": group,
            "council": rng.choice(COUNCILS),
            "age_band": rng.choices(AGE_BANDS, weights=AGE_WEIGHTS[group])[0],
            "budget_type": rng.choices(BUDGET_TYPES, weights=BUDGET_WEIGHTS)[0],
            "gender": rng.choices(GENDERS, weights=GENDER_WEIGHTS)[0],
        }
        person = rng.choice(PERSONS)
        for question in QUESTIONS:
            if (i, question) in answers:
                text, themes = make_answer(group, question, rng, person)
                row[question] = text
                row[f"{question}_themes"] = "|".join(themes)
            else:
                row[question] = rng.choice(["", "", "", " ", "  "])
                row[f"{question}_themes"] = ""
        rows.append(row)
    return rows


# --------------------------------------------------------------------------- writing

WIDE_COLUMNS = ["respondent_id", "group", "council", "age_band", "budget_type", "gender",
                *QUESTIONS]
THEME_COLUMNS = [f"{q}_themes" for q in QUESTIONS]
LONG_COLUMNS = ["answer_id", "respondent_id", "group", "question", "text", "themes"]

MAPPING = """\
# Column mapping for the wide sample files (prior_year.csv, current_year.csv).
layout: wide
id: respondent_id
group: group
questions:
  worked_well: worked_well
  not_well: not_well
  change: change
themes:
  worked_well: worked_well_themes
  not_well: not_well_themes
  change: change_themes
attributes: [council, age_band, budget_type, gender]
"""


def to_csv(rows: list[dict[str, str]], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore",
                            lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def long_rows(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    out = []
    for row in rows:
        for question in QUESTIONS:
            if row[question].strip():
                out.append({
                    "answer_id": f"{row['respondent_id']}-{question}",
                    "respondent_id": row["respondent_id"],
                    "group": row["group"],
                    "question": question,
                    "text": row[question],
                    "themes": row[f"{question}_themes"],
                })
    return out


def theme_counts(rows: list[dict[str, str]]) -> dict[str, dict[str, Counter[str]]]:
    """counts[group][question][theme] over the coded rows."""
    counts: dict[str, dict[str, Counter[str]]] = {
        g: {q: Counter() for q in QUESTIONS} for g in BANKS
    }
    for row in rows:
        for question in QUESTIONS:
            for theme in filter(None, row[f"{question}_themes"].split("|")):
                counts[row["group"]][question][theme] += 1
    return counts


def check_coverage(counts: dict[str, dict[str, Counter[str]]]) -> None:
    for group, bank in BANKS.items():
        for theme in bank:
            total = sum(counts[group][q][theme] for q in QUESTIONS)
            assert total >= MIN_PER_THEME, f"{group} theme {theme!r} coded only {total} times"


def readme(prior: list[dict[str, str]], current: list[dict[str, str]]) -> str:
    counts = theme_counts(prior)
    lines = [
        "# Sample data (synthetic)",
        "",
        "**Everything in this folder is synthetic, written for this project. There are no real",
        "respondents:** the answers are assembled from phrase templates with slot fillers,",
        "typos and formatting noise, and the prior year's coding follows from the templates",
        "used, so it is consistent with the text. The survey imitates the POET personal budget",
        "survey: budget holders and carers answer three open questions (what worked well, what",
        "did not work well, what would you change).",
        "",
        "Recreate the files (byte for byte) with:",
        "",
        "    python sample_data/generate.py            # or: --out DIR",
        "",
        "## Files",
        "",
        f"- `prior_year.csv` — {len(prior)} respondents, wide layout (one row per respondent),",
        "  hand-coded. Columns: `respondent_id, group, council, age_band, budget_type, gender,",
        "  worked_well, not_well, change, worked_well_themes, not_well_themes, change_themes`.",
        "  The `*_themes` columns hold `|`-separated theme names from",
        "  `codebooks/poet_holders.yaml` (group `holder`) or `codebooks/poet_carers.yaml`",
        "  (group `carer`); `Not assigned` for vague answers; empty when the question was",
        "  not answered.",
        f"- `current_year.csv` — {len(current)} respondents, same layout without the",
        "  `*_themes` columns: the year to code.",
        f"- `prior_year_long.csv` — the prior year in long layout, {len(long_rows(prior))}",
        "  rows (one per non-empty answer): `answer_id, respondent_id, group, question, text,",
        "  themes`; `answer_id` is `<respondent_id>-<question>`. A classifier trains from this.",
        "- `mapping.yaml` — the column mapping for the wide files.",
        "- `generate.py` — the generator (standard library only, fixed seeds).",
        "",
        "Unanswered questions are empty or whitespace-only cells. Some answers start with",
        "`=`, `+`, `-` or `@` and a few contain `£`, `é`, curly quotes and apostrophes, to",
        "exercise spreadsheet-formula safety and encodings.",
        "",
        "## Respondents and answers",
        "",
        "| | holders | carers |",
        "|---|---:|---:|",
    ]
    for label, rows in (("prior year", prior), ("current year", current)):
        groups = Counter(r["group"] for r in rows)
        lines.append(f"| {label}: respondents | {groups['holder']} | {groups['carer']} |")
        for question in QUESTIONS:
            answered = Counter(r["group"] for r in rows if r[question].strip())
            pct = {g: 100 * answered[g] / groups[g] for g in ("holder", "carer")}
            lines.append(f"| {label}: answered `{question}` | {answered['holder']} "
                         f"({pct['holder']:.1f} %) | {answered['carer']} "
                         f"({pct['carer']:.1f} %) |")
    for group, title, path in (("holder", "Holders", "poet_holders.yaml"),
                               ("carer", "Carers", "poet_carers.yaml")):
        lines += [
            "",
            f"## Prior-year coding: {title.lower()} (`codebooks/{path}`)",
            "",
            "| Theme | worked_well | not_well | change | total |",
            "|---|---:|---:|---:|---:|",
        ]
        for theme in [*BANKS[group], NOT_ASSIGNED]:
            per_q = [counts[group][q][theme] for q in QUESTIONS]
            lines.append(f"| {theme} | {' | '.join(map(str, per_q))} | {sum(per_q)} |")
    lines.append("")
    return "\n".join(lines)


def generate(out: Path) -> dict[str, Path]:
    """Write all sample files to ``out``; returns them by name."""
    prior = make_survey(N_PRIOR, "P2025", seed="themecoder sample prior 2025")
    current = make_survey(N_CURRENT, "C2026", seed="themecoder sample current 2026")
    check_coverage(theme_counts(prior))
    files = {
        "prior_year.csv": to_csv(prior, WIDE_COLUMNS + THEME_COLUMNS),
        "current_year.csv": to_csv(current, WIDE_COLUMNS),
        "prior_year_long.csv": to_csv(long_rows(prior), LONG_COLUMNS),
        "mapping.yaml": MAPPING,
        "README.md": readme(prior, current),
    }
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, text in files.items():
        path = out / name
        path.write_bytes(text.encode("utf-8"))
        written[name] = path
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE,
                        help="folder to write the files to (default: sample_data/)")
    args = parser.parse_args(argv)
    for path in generate(args.out).values():
        print(path)


if __name__ == "__main__":
    main()
